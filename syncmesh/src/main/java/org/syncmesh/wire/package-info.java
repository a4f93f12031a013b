/**
 * Internal, not API (module org.syncmesh does not export it). The wire layer: pure functions and immutable values
 * for the p2p.today protocol 0.7 (js2p 0.7.870 / py2p 0.7), with no I/O and no threads. It builds on the values of
 * {@link org.syncmesh} (Bytes, Protocol, Version, Compression, ...), which users see.
 *
 * <p>What lives here:
 * <ul>
 *   <li>{@link org.syncmesh.wire.FrameCodec}, the entry point: message ⇄ frame bytes (length header, SHA-256
 *       checksum, compression), docs/protocol-0.7.md §1.2–§1.3;</li>
 *   <li>{@link org.syncmesh.wire.InternalMessage}, one decoded or encoded message, keeping its original body bytes;</li>
 *   <li>{@link org.syncmesh.wire.Packets}, the msgpack ⇄ Java value mapping (§2);</li>
 *   <li>{@link org.syncmesh.wire.Compressors}, the codecs of each {@link org.syncmesh.Compression} and which the
 *       class path has, and {@link org.syncmesh.wire.CompressionNegotiation} (§11);</li>
 *   <li>the syncmesh extension (docs/extension-v1.md): {@link org.syncmesh.wire.ExtensionOffer}, the marker
 *       negotiated in the handshake, and {@link org.syncmesh.wire.Versions}, which decodes a
 *       {@link org.syncmesh.Version};</li>
 *   <li>identifiers: {@link org.syncmesh.wire.Base58}, {@link org.syncmesh.wire.NodeId} (§3), and the {@link org.syncmesh.wire.Flags} constants (§4);</li>
 *   <li>{@link org.syncmesh.wire.BytesInternals}, wire's no-copy access to {@link org.syncmesh.Bytes};</li>
 *   <li>{@link org.syncmesh.wire.WireFormatException} and its subclasses, thrown for malformed peer input, and
 *       {@link org.syncmesh.wire.Checks}, the argument checks every layer uses.</li>
 * </ul>
 *
 * <p>Nothing is null unless annotated {@code @Nullable}. Every class here is immutable or stateless and therefore
 * safe to use from any thread.
 */
@org.jspecify.annotations.NullMarked
package org.syncmesh.wire;
