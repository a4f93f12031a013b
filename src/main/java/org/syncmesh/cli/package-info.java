/**
 * The {@code syncmesh} command line (picocli). Entry point: {@link org.syncmesh.cli.Main}.
 * Depends on every layer below; nothing depends on it.
 */
package org.syncmesh.cli;
