package org.syncmesh.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest; "dev" when run from classes. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {
      "syncmesh " + (version == null ? "dev" : version) + " (protocol 0.7, js2p 0.7.870 / py2p 0.7 compatible)"
    };
  }
}
