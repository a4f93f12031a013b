package org.syncmesh.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Routes each request of the node's HTTP server (docs/http.md): checks the token, then sends
 * {@code /metrics} to the Prometheus registry, {@code /api/events} to {@link WebEvents},
 * {@code /api/…} to {@link WebApi} and the page's files to {@link WebResources}; 404 for any other
 * path, 405 for a method a path does not take, 401 for a request without the token, 503 from
 * {@code /api/} before the node has started. Every answer but the event stream is whole
 * (aggregated request, full response), rendered on the server's one thread.
 *
 * <p>One per connection (it is a Netty handler with no state of its own but shares the server's).
 */
final class WebRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

  /** The Prometheus text format's content type. */
  static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** JSON answers. */
  static final String JSON = "application/json; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";

  /**
   * The page loads only its own files and talks only to this server; no framing, no inline script
   * or style, so a key or value that slipped through as markup still could not run.
   */
  static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** The node's API and event stream, once the node has started. */
  record Served(WebApi api, WebEvents events) {}

  private final PrometheusMeterRegistry registry;
  private final WebResources resources;
  private final @Nullable WebToken token;
  private final Supplier<@Nullable Served> served;

  WebRouter(PrometheusMeterRegistry registry, WebResources resources, @Nullable WebToken token,
      Supplier<@Nullable Served> served) {
    this.registry = registry;
    this.resources = resources;
    this.token = token;
    this.served = served;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "bad request\n"), false);
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    Optional<WebResources.Resource> file = resources.get(path);
    boolean page = path.equals("/") || path.equals("/index.html");
    if (token != null && !token.admits(request, page)) {
      FullHttpResponse denied = text(HttpResponseStatus.UNAUTHORIZED, "unauthorized\n");
      denied.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      send(ctx, request, denied, true);
      return;
    }
    boolean get = request.method().equals(HttpMethod.GET);
    boolean head = request.method().equals(HttpMethod.HEAD);
    if (path.equals("/api/events")) {
      Served s = served.get();
      if (!get) {
        send(ctx, request, notAllowed("GET"), true);
      } else if (s == null) {
        send(ctx, request, starting(), true);
      } else {
        // the connection is the stream's from now on: a further request on it would break the stream's framing
        ctx.pipeline().replace(this, "ignore-requests", new IgnoreRequests());
        s.events().subscribe(ctx.channel());
      }
      return;
    }
    boolean known = file.isPresent() || path.equals("/metrics") || isApi(path);
    if (!known) {
      send(ctx, request, path.startsWith("/api/") ? json(HttpResponseStatus.NOT_FOUND, error("no such endpoint: "
          + Abbrev.quote(path))) : text(HttpResponseStatus.NOT_FOUND, "not found\n"), true);
      return;
    }
    if (!get && !head) {
      send(ctx, request, notAllowed("GET, HEAD"), true);
      return;
    }
    FullHttpResponse response;
    if (file.isPresent()) {
      response = resource(request, file.get(), page);
    } else if (path.equals("/metrics")) {
      response = full(HttpResponseStatus.OK, registry.scrape(), METRICS_CONTENT_TYPE);
    } else {
      response = api(path, uri.parameters());
    }
    if (head) {
      response.content().clear(); // the length stays the GET's, as HEAD promises
    }
    send(ctx, request, response, true);
  }

  private static boolean isApi(String path) {
    return path.equals("/api/node") || path.equals("/api/peers") || path.equals("/api/keys");
  }

  private FullHttpResponse api(String path, Map<String, java.util.List<String>> params) {
    Served s = served.get();
    if (s == null) {
      return starting();
    }
    Object body;
    try {
      body = switch (path) {
        case "/api/node" -> s.api().node();
        case "/api/peers" -> s.api().peers();
        default -> s.api().keys(WebApi.KeyQuery.of(params));
      };
    } catch (IllegalArgumentException e) {
      return json(HttpResponseStatus.BAD_REQUEST, error(String.valueOf(e.getMessage())));
    }
    FullHttpResponse response = json(HttpResponseStatus.OK, org.syncmesh.json.Json.write(body));
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return response;
  }

  private FullHttpResponse resource(FullHttpRequest request, WebResources.Resource file, boolean page) {
    FullHttpResponse response;
    if (WebResources.notModified(request.headers().get(HttpHeaderNames.IF_NONE_MATCH), file)) {
      response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
    } else {
      response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.wrappedBuffer(file.bytes()));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, file.contentType())
          .setInt(HttpHeaderNames.CONTENT_LENGTH, file.bytes().length);
    }
    response.headers().set(HttpHeaderNames.ETAG, file.etag())
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set("X-Content-Type-Options", "nosniff");
    if (page) {
      response.headers().set("Content-Security-Policy", PAGE_POLICY)
          .set("Referrer-Policy", "no-referrer"); // the URL may hold the token
      if (token != null) {
        response.headers().set(HttpHeaderNames.SET_COOKIE, token.setCookie());
      }
    }
    return response;
  }

  private static FullHttpResponse notAllowed(String allow) {
    FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed (allowed: " + allow
        + ")\n");
    response.headers().set(HttpHeaderNames.ALLOW, allow);
    return response;
  }

  private static FullHttpResponse starting() {
    return json(HttpResponseStatus.SERVICE_UNAVAILABLE, error("the node is starting"));
  }

  private static String error(String message) {
    return org.syncmesh.json.Json.write(Map.of("error", message));
  }

  static FullHttpResponse text(HttpResponseStatus status, String body) {
    return full(status, body, TEXT);
  }

  private static FullHttpResponse json(HttpResponseStatus status, String body) {
    return full(status, body, JSON);
  }

  private static FullHttpResponse full(HttpResponseStatus status, String body, String contentType) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return response;
  }

  /** Writes a whole answer, then closes the connection unless both sides keep it alive. */
  private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
      boolean keepAliveAllowed) {
    boolean keepAlive = keepAliveAllowed && HttpUtil.isKeepAlive(request);
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a broken client connection: nothing to answer, nothing else affected
  }

  /** An event stream's connection: whatever else the client sends is read (so a close is seen) and dropped. */
  private static final class IgnoreRequests extends SimpleChannelInboundHandler<Object> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
