/**
 * The mesh socket: an alert network of peers that floods broadcasts with de-duplication
 * (protocol 0.7, wire-compatible with js2p 0.7.870 and py2p 0.7), and between syncmesh nodes
 * sends them along broadcast trees instead ({@code BroadcastTree}, docs/extension-v2.md and -v3.md;
 * {@link org.syncmesh.mesh.BroadcastStats} counts what they cost).
 *
 * <p>Entry point: {@link org.syncmesh.mesh.MeshSocket}. Messages arrive as
 * {@link org.syncmesh.mesh.Message}; peers are described by {@link org.syncmesh.mesh.PeerInfo}.
 * This package knows peers and messages, never bytes: it reaches the network only through
 * {@code org.syncmesh.net.Network} and {@code Link}.
 */
@NullMarked
package org.syncmesh.mesh;

import org.jspecify.annotations.NullMarked;
