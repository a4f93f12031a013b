package org.syncmesh.net;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kind of socket a node's event loops and links use: Linux's epoll through Netty's native
 * library, or the JDK's NIO selector, which runs everywhere. Epoll wakes a loop with one system
 * call and no selected-key set, so each frame a node receives costs less CPU and garbage; NIO is
 * the fallback where the native library does not load (another OS or CPU, or a JVM forbidden to
 * load native code). Both carry the same bytes: peers cannot tell them apart.
 *
 * <p>Immutable and thread-safe.
 */
public enum Transport {
  // Each constant names its Netty classes in method bodies of its own, not as constructor arguments: a
  // JVM resolves them only when that constant is used, so NIO works without epoll's jar (choose()).
  /** Linux's epoll (Netty's {@code netty-transport-native-epoll}). */
  EPOLL {
    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return EpollIoHandler.newFactory();
    }

    @Override
    Class<? extends ServerChannel> serverChannel() {
      return EpollServerSocketChannel.class;
    }

    @Override
    Class<? extends Channel> clientChannel() {
      return EpollSocketChannel.class;
    }
  },
  /** The JDK's NIO selector. */
  NIO {
    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return NioIoHandler.newFactory();
    }

    @Override
    Class<? extends ServerChannel> serverChannel() {
      return NioServerSocketChannel.class;
    }

    @Override
    Class<? extends Channel> clientChannel() {
      return NioSocketChannel.class;
    }
  };

  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  /** What each event loop of this transport runs. */
  public abstract IoHandlerFactory ioHandlerFactory();

  abstract Class<? extends ServerChannel> serverChannel();

  abstract Class<? extends Channel> clientChannel();

  /**
   * {@link #EPOLL} if {@code nativeAllowed} and Netty's epoll library loads here, else {@link #NIO}
   * (why logged at debug).
   */
  public static Transport choose(boolean nativeAllowed) {
    if (!nativeAllowed) {
      return NIO;
    }
    try {
      if (Epoll.isAvailable()) {
        return EPOLL;
      }
      log.debug("epoll is not available here, NIO serves the links", Epoll.unavailabilityCause());
    } catch (LinkageError e) { // netty-transport-classes-epoll left off the class path
      log.debug("epoll's classes are not on the class path, NIO serves the links", e);
    }
    return NIO;
  }
}
