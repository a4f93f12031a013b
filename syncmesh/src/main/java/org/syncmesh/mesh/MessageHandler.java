package org.syncmesh.mesh;

/**
 * A step of the handler chain every arriving message passes through after de-duplication and
 * relay (docs/protocol-0.7.md §6). Handlers run in registration order; the first that returns {@code true}
 * claims the message and stops the chain. Unclaimed broadcasts and whispers go to the
 * {@link MeshSocket#recv()} queue.
 *
 * <p>Handlers added with {@link MeshSocket#registerHandler} run on the socket's callback
 * executor, one message at a time and in arrival order, never on a network thread; the relay to
 * other peers has already happened. They should still be quick: they delay the listeners and
 * the {@code recv()} queue. A handler that throws is logged, recorded in status and treated as
 * not having claimed the message.
 */
@FunctionalInterface
public interface MessageHandler {

  /**
   * @param message the message, with its full payload (sub-flag first)
   * @param from the peer whose connection delivered it (not necessarily its sender)
   * @return true to claim the message
   */
  boolean handle(Message message, PeerInfo from);
}
