package dev.burst.internal.transport;

import dev.burst.BurstException;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.NotSslRecordException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.MetadataUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gRPC servers and channels of a Burst cluster: TLS with one pinned certificate, a token on
 * every call, keepalive, and one set of Netty event loops per JVM.
 *
 * <p>Design note: trust is a pin, not a CA. A client trusts exactly the certificate whose SHA-256
 * its token file names, and skips host-name checks (the pin is stronger, and workers on other
 * hosts present the scheduler's certificate). TLS keeps strangers from reading or injecting
 * traffic; the {@code burst-token} header, compared in constant time by a server interceptor, is
 * what proves a peer belongs to the cluster (the key store travels to workers, so holding the key
 * proves nothing more than holding the token).
 *
 * <p>A connection that fails before gRPC sees it — garbage bytes, a plaintext client, a client
 * pinning another cluster's certificate — is invisible to interceptors and transport filters
 * (gRPC logs it at JUL FINE, with no address). So each server channel's pipeline gets a handler
 * that puts a watcher at the head of every accepted connection: it listens on the
 * {@link SslHandler}'s handshake future, logs one warning with the remote address if the handshake
 * fails after the peer sent bytes (a bare connect-and-close is a port probe, logged at debug), and
 * removes itself once the handshake succeeds, so it costs an established connection nothing. This
 * needs our own channel factory, hence our own event loops: one boss thread and one worker group
 * (Netty's default size, 2 × cores) of daemon threads, shared by every server and channel in the
 * JVM, on epoll where the native transport loads and NIO elsewhere.
 *
 * <p>Keepalive: gRPC clamps the ping interval to at least 10 s on both sides, so a silently dead
 * peer (host gone, cable cut) is found in about 13 s; a crashed process closes its sockets and is
 * found at once.
 */
public final class Transport {
    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    /** The metadata header carrying the cluster token. */
    static final Metadata.Key<String> TOKEN_HEADER = Metadata.Key.of("burst-token", Metadata.ASCII_STRING_MARSHALLER);
    static final int MAX_MESSAGE_BYTES = 64 << 20;
    /** gRPC's floor for the keepalive ping interval (it clamps anything shorter to this). */
    static final long KEEPALIVE_TIME_SECONDS = 10;
    static final long KEEPALIVE_TIMEOUT_SECONDS = 3;
    /** The authority clients announce: the pin, not the name, is what they check. */
    static final String AUTHORITY = "localhost";

    private static final Map<ClusterCredentials, SslContext> CLIENT_CONTEXTS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private Transport() {
    }

    /** Whether the shared event loops use the native epoll transport (else NIO). */
    static boolean nativeTransport() {
        return Loops.EPOLL;
    }

    /**
     * Starts a TLS server on {@code bindHost:port} (port 0: an ephemeral port, read it from
     * {@link Server#getPort()}) serving {@code services} to callers that present the cluster token.
     */
    public static Server server(String bindHost, int port, ClusterCredentials credentials, BindableService... services) {
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("No bind host ('" + bindHost + "'); use 0.0.0.0 for every interface");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Bad port " + port + " to listen on (0 for any, else 1 to 65535)");
        }
        if (credentials == null || !credentials.canServe()) {
            throw new IllegalArgumentException("Credentials without the cluster's private key cannot serve TLS: "
                    + credentials);
        }
        SslContext ssl;
        try {
            ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(
                    new IdentityKeyManager(credentials.privateKey(), credentials.certificate()))).build();
        } catch (SSLException e) {
            throw new BurstException("Cannot set up TLS with the cluster's key: " + e, e);
        }
        TokenCheck tokenCheck = new TokenCheck(credentials.token(), credentials.clientOnlyToken());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(bindHost, port))
                .bossEventLoopGroup(Loops.BOSS)
                .workerEventLoopGroup(Loops.WORKERS)
                .channelFactory(Transport::newServerChannel)
                .sslContext(ssl)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .keepAliveTime(KEEPALIVE_TIME_SECONDS, TimeUnit.SECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveTime(1, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        for (BindableService service : services) {
            builder.addService(ServerInterceptors.intercept(service, tokenCheck));
        }
        Server server = builder.build();
        try {
            return server.start();
        } catch (IOException e) {
            server.shutdownNow();
            throw new BurstException("Cannot listen on " + bindHost + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * A channel to {@code to} that trusts only the certificate {@code credentials} pins and sends
     * the cluster token on every call. Connects lazily, on the first call.
     *
     * <p>With a gateway route ({@link ClusterCredentials#route()}), {@code to} is the gateway's
     * address and the route is the channel's authority, which Netty sends as the TLS server name
     * (SNI) the gateway routes by; without one, the authority is {@code localhost}, which has no
     * dot, so no SNI is sent at all.
     */
    public static ManagedChannel channel(BurstAddress to, ClusterCredentials credentials) {
        Objects.requireNonNull(to, "no address to connect to");
        Objects.requireNonNull(credentials, "no cluster credentials to connect with");
        return channel(to, credentials, credentials.route().orElse(AUTHORITY));
    }

    /**
     * A channel to the data service of the worker at {@code worker}, for a client of the scheduler
     * at {@code scheduler}: straight to the worker, or, with a gateway route, to {@code scheduler}
     * (the gateway's address) with the server name {@code w-<host>-<port>.<route>}
     * ({@link GatewayRoutes#workerServerName}).
     *
     * @throws IllegalArgumentException if a route is set and the worker's address cannot be put in
     *                                  a server name ({@link WorkerRoute})
     */
    public static ManagedChannel workerChannel(BurstAddress worker, BurstAddress scheduler, ClusterCredentials credentials) {
        Objects.requireNonNull(worker, "no worker address to connect to");
        Objects.requireNonNull(credentials, "no cluster credentials to connect with");
        Optional<String> route = credentials.route();
        if (route.isEmpty()) {
            return channel(worker, credentials, AUTHORITY);
        }
        Objects.requireNonNull(scheduler, "no gateway address to reach the worker through");
        return channel(scheduler, credentials, GatewayRoutes.workerServerName(worker, route.get()));
    }

    private static ManagedChannel channel(BurstAddress to, ClusterCredentials credentials, String authority) {
        Metadata token = new Metadata();
        token.put(TOKEN_HEADER, credentials.token());
        return NettyChannelBuilder.forAddress(to.host(), to.port())
                .eventLoopGroup(Loops.WORKERS)
                .channelType(Loops.EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
                .sslContext(clientContext(credentials))
                .overrideAuthority(authority)
                .intercept(MetadataUtils.newAttachHeadersInterceptor(token))
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .keepAliveTime(KEEPALIVE_TIME_SECONDS, TimeUnit.SECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true)
                .build();
    }

    private static SslContext clientContext(ClusterCredentials credentials) {
        return CLIENT_CONTEXTS.computeIfAbsent(credentials, c -> {
            try {
                return GrpcSslContexts.forClient()
                        .trustManager(new PinnedCertificate(c.certificateSha256(), c.tokenFile()))
                        .endpointIdentificationAlgorithm(null)
                        .build();
            } catch (SSLException e) {
                throw new BurstException("Cannot set up TLS for a client: " + e, e);
            }
        });
    }

    // ---- the token -----------------------------------------------------------------------------

    private static final io.grpc.Context.Key<Boolean> FULL_TOKEN = io.grpc.Context.key("burst-full-token");

    /**
     * Whether the call being served came with the cluster token, not the client-only one: what a
     * service checks before handing out what only workers may have (the cluster's key).
     */
    public static boolean callHasClusterToken() {
        return Boolean.TRUE.equals(FULL_TOKEN.get());
    }

    /**
     * Refuses calls without the cluster token or the client-only one: UNAUTHENTICATED, and one
     * warning naming the caller. Which role a token allows is the scheduler's hello check.
     */
    private static final class TokenCheck implements ServerInterceptor {
        private final byte[] expected;
        /** The client-only token, or the cluster token again where there is none. */
        private final byte[] alsoExpected;

        TokenCheck(String token, String clientToken) {
            this.expected = token.getBytes(StandardCharsets.UTF_8);
            this.alsoExpected = (clientToken == null ? token : clientToken).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                          ServerCallHandler<Q, R> next) {
            String presented = headers.get(TOKEN_HEADER);
            byte[] bytes = presented == null ? null : presented.getBytes(StandardCharsets.UTF_8);
            // Both compared every time, in constant time: which one matched leaks nothing either.
            boolean full = bytes != null && MessageDigest.isEqual(expected, bytes);
            if (bytes != null && (full | MessageDigest.isEqual(alsoExpected, bytes))) {
                return io.grpc.Contexts.interceptCall(io.grpc.Context.current().withValue(FULL_TOKEN, full), call, headers, next);
            }
            String reason = presented == null ? "no burst-token header" : "wrong token";
            log.warn("Refused a call to {} from {}: {} (a client of another cluster, or an old token file?)",
                    call.getMethodDescriptor().getFullMethodName(),
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), reason);
            call.close(Status.UNAUTHENTICATED.withDescription(reason + ": this server belongs to another Burst"
                    + " cluster, or the scheduler restarted with a new token"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
    }

    // ---- the pin -------------------------------------------------------------------------------

    /** Trusts exactly one certificate, by the SHA-256 of its DER encoding; no CA, no host names. */
    public static final class PinnedCertificate extends X509ExtendedTrustManager {
        private final byte[] pin;
        private final String pinHex;
        private final Object source;
        private final String server;
        private final String causes;

        /** Trusts the certificate whose DER encoding has SHA-256 {@code sha256Hex}; {@code source} is named in refusals. */
        public PinnedCertificate(String sha256Hex, Object source) {
            this(sha256Hex, source, "this cluster's", "the server belongs to another cluster, or its scheduler made a new key store");
        }

        /**
         * Trusts the certificate whose DER encoding has SHA-256 {@code sha256Hex}. A refusal reads "The server's
         * certificate (sha256 …) is not {@code server} (sha256 …, from {@code source}): {@code causes}".
         */
        public PinnedCertificate(String sha256Hex, Object source, String server, String causes) {
            this.pin = HexFormat.of().parseHex(sha256Hex);
            this.pinHex = sha256Hex;
            this.source = source;
            this.server = server;
            this.causes = causes;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("The server sent no certificate");
            }
            byte[] actual;
            try {
                actual = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
            } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
                throw new CertificateException("Cannot hash the server's certificate: " + e, e);
            }
            if (!MessageDigest.isEqual(pin, actual)) {
                throw new CertificateException("The server's certificate (sha256 " + HexFormat.of().formatHex(actual)
                        + ") is not " + server + " (sha256 " + pinHex + (source == null ? "" : ", from " + source)
                        + "): " + causes);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("Burst does not use client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    // ---- event loops and the handshake watch ---------------------------------------------------

    /** The JVM's event loops, made on first use. */
    private static final class Loops {
        static final boolean EPOLL = Epoll.isAvailable();
        static final EventLoopGroup BOSS = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("burst-netty-boss", true), ioHandlers());
        static final EventLoopGroup WORKERS = new MultiThreadIoEventLoopGroup(0,
                new DefaultThreadFactory("burst-netty", true), ioHandlers());

        static {
            if (!EPOLL) {
                log.debug("Netty's epoll transport is unavailable ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
            }
        }

        private static IoHandlerFactory ioHandlers() {
            return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        }
    }

    private static ServerChannel newServerChannel() {
        ServerChannel channel = Loops.EPOLL ? new EpollServerSocketChannel() : new NioServerSocketChannel();
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object accepted) {
                if (accepted instanceof Channel connection) {
                    // first in line: gRPC's initializer, which adds the SslHandler, comes after
                    connection.pipeline().addLast(new HandshakeWatch());
                }
                ctx.fireChannelRead(accepted);
            }
        });
        return channel;
    }

    /** Logs a failed TLS handshake of one accepted connection; gone once the handshake succeeds. */
    private static final class HandshakeWatch extends ChannelInboundHandlerAdapter {
        /** An alert the peer sent, as OpenSSL ({@code TLSV1_ALERT_...}) or the JDK names it. */
        private static final Pattern ALERT = Pattern.compile("(?:TLSV1|SSLV3)_ALERT_([A-Z_]+)|Received fatal alert: (\\w+)");
        private SocketAddress remote;
        private long bytesReceived;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            remote = ctx.channel().remoteAddress();
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (ssl == null) {
                log.debug("No TLS handler on the connection from {}; not watching its handshake", remote);
                ctx.pipeline().remove(this);
            } else {
                ssl.handshakeFuture().addListener(done -> {
                    if (!done.isSuccess()) {
                        report(done.cause());
                    }
                    if (!ctx.isRemoved()) {
                        ctx.pipeline().remove(this);
                    }
                });
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (message instanceof ByteBuf bytes) {
                bytesReceived += bytes.readableBytes();
            }
            ctx.fireChannelRead(message);
        }

        private void report(Throwable cause) {
            if (bytesReceived == 0) {
                log.debug("Connection from {} closed before TLS started: {}", remote, String.valueOf(cause));
                return;
            }
            log.warn("Refused a connection from {}: TLS handshake failed: {}", remote, describe(cause));
        }

        private static String describe(Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof NotSslRecordException) {
                    return "the peer does not speak TLS (a plaintext client, or not a Burst client at all)";
                }
            }
            String message = String.valueOf(cause.getMessage());
            Matcher alert = ALERT.matcher(message);
            if (alert.find()) {
                String name = (alert.group(1) != null ? alert.group(1) : alert.group(2)).toLowerCase(Locale.ROOT);
                return "the peer aborted the handshake with alert " + name
                        + " (a client that pins another cluster's certificate?)";
            }
            message = message.lines().findFirst().orElse("");
            return cause.getClass().getSimpleName() + ": " + (message.length() > 200 ? message.substring(0, 200) + "…" : message);
        }
    }
}
