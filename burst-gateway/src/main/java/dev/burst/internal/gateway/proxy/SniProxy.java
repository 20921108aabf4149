package dev.burst.internal.gateway.proxy;

import dev.burst.internal.gateway.proxy.ClientHelloParser.NeedMoreBytes;
import dev.burst.internal.gateway.proxy.ClientHelloParser.NoServerName;
import dev.burst.internal.gateway.proxy.ClientHelloParser.NotTls;
import dev.burst.internal.gateway.proxy.ClientHelloParser.Parsed;
import dev.burst.internal.gateway.proxy.ClientHelloParser.ServerName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's one port: routes each TLS connection by the server name (SNI) in its ClientHello,
 * without terminating TLS, as Dask Gateway's proxy does.
 *
 * <p>Design note. Each accepted connection gets a virtual thread that reads until the ClientHello
 * is whole ({@link ClientHelloParser}), bounded in bytes ({@link Settings#maxClientHelloBytes()})
 * and in time ({@link Settings#handshakeTimeout()}, a deadline for the whole hello, so a client
 * trickling a byte at a time cannot hold a thread for longer). Then:
 * <ul>
 *   <li>a name the {@link RouteTable} knows: connect there, send the bytes read so far, relay;</li>
 *   <li>no name, or one the table does not know: the same to the fallback (the gateway's own HTTPS
 *       server), after a PROXY protocol v1 line so it sees the client's real address;</li>
 *   <li>plain HTTP ({@code GET / HTTP/1.1}): a 400 in JSON saying to use https, then close;</li>
 *   <li>anything else, a timeout, or an oversize hello: close, logged at debug (a client's bad
 *       bytes are never a warning, and never a stack trace).</li>
 * </ul>
 * A relay is one more virtual thread per connection: each direction copies until end of stream,
 * passes the half-close on ({@code shutdownOutput}), and the second direction to finish closes
 * both sockets; an error in either closes both at once. Blocking sockets on virtual threads keep
 * this short and cheap; the backend's TLS is end to end, so the proxy sees only ciphertext.
 *
 * <p>Lifecycle: {@link #start} binds (step 1), then starts the accept thread (step 2); the
 * constructor starts nothing. {@link #close} is the one way down: it stops accepting, closes every
 * socket the proxy holds (so every blocked read ends), and waits for every thread it started.
 */
public final class SniProxy implements AutoCloseable {
    /** How long {@link #close} waits for the proxy's threads once their sockets are closed. */
    private static final long CLOSE_WAIT_SECONDS = 10;
    private static final int RELAY_BUFFER = 16 * 1024;
    private static final int HTTP_DRAIN_LIMIT = 64 * 1024;
    private static final Duration HTTP_DRAIN_TIME = Duration.ofSeconds(1);
    private static final Pattern HOST_HEADER =
            Pattern.compile("\r\nhost:[ \t]*([^\r\n]*)\r\n", Pattern.CASE_INSENSITIVE);
    private static final Pattern HOST_VALUE =
            Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");

    private final Settings settings;
    private final Logger log;
    private final ServerSocket listener;
    private final ThreadFactory threadFactory = Thread.ofVirtual().name("burst-sni-proxy-", 0).factory();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SniProxy(Settings settings, ServerSocket listener) {
        this.settings = settings;
        this.log = settings.log();
        this.listener = listener;
    }

    /**
     * Listens on {@code settings.bindHost():settings.port()} and starts routing.
     *
     * @throws IOException if the port cannot be bound
     */
    public static SniProxy start(Settings settings) throws IOException {
        Objects.requireNonNull(settings, "no settings for the SNI proxy");
        SniProxy proxy = new SniProxy(settings, bind(settings));
        proxy.startAccepting();
        return proxy;
    }

    private static ServerSocket bind(Settings settings) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(settings.bindHost(), settings.port()));
            return listener;
        } catch (IOException e) {
            listener.close();
            throw new IOException("Cannot listen on " + settings.bindHost() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
    }

    private void startAccepting() {
        log.info("SNI proxy listening on {}:{}; unrouted TLS goes to {}", settings.bindHost(), port(), settings.fallback());
        spawn(this::acceptLoop);
    }

    /** The port it listens on (the one chosen if {@link Settings#port()} was 0). */
    public int port() {
        return listener.getLocalPort();
    }

    /** The address it listens on. */
    public InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    /** Threads of this proxy still running: none once {@link #close} has returned. */
    int liveThreads() {
        return threads.size();
    }

    /** Stops accepting, closes every connection it relays, and waits for its threads to end. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(listener);
        synchronized (this) { // after this block no spawn or hold succeeds, so the snapshots are complete
            for (Socket socket : List.copyOf(sockets)) {
                release(socket);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
        List<Thread> stuck = new ArrayList<>();
        for (Thread thread : List.copyOf(threads)) {
            if (thread == Thread.currentThread()) {
                continue;
            }
            long left = deadline - System.nanoTime();
            boolean interrupted = false;
            while (thread.isAlive() && left > 0) {
                try {
                    thread.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                left = deadline - System.nanoTime();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                stuck.add(thread);
            }
        }
        if (!stuck.isEmpty()) {
            log.warn("SNI proxy closed, but {} of its threads did not end within {} s: {}", stuck.size(),
                    CLOSE_WAIT_SECONDS, stuck);
        } else {
            log.info("SNI proxy on port {} closed", listener.getLocalPort());
        }
    }

    // ---- threads and sockets --------------------------------------------------------------

    /** Starts {@code task} on a new virtual thread, unless closed; false then. */
    private synchronized boolean spawn(Runnable task) {
        if (closed.get()) {
            return false;
        }
        Thread[] self = new Thread[1];
        self[0] = threadFactory.newThread(() -> {
            try {
                task.run();
            } finally {
                threads.remove(self[0]);
            }
        });
        threads.add(self[0]);
        self[0].start();
        return true;
    }

    /** Tracks {@code socket} so close reaches it; closes it and answers false if already closed. */
    private boolean hold(Socket socket) {
        synchronized (this) {
            if (!closed.get()) {
                sockets.add(socket);
                return true;
            }
        }
        closeQuietly(socket);
        return false;
    }

    private void release(Socket socket) {
        sockets.remove(socket);
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is best effort: the peer may have gone already
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (closed.get()) {
                    return;
                }
                log.warn("SNI proxy could not accept a connection: {}", e.toString());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // e.g. out of file descriptors
                continue;
            }
            if (hold(client) && !spawn(() -> serve(client))) {
                release(client);
            }
        }
    }

    // ---- one connection -------------------------------------------------------------------

    /** The first bytes of a connection and what they say. */
    private record Hello(byte[] bytes, int length, Parsed parsed) {
    }

    private void serve(Socket client) {
        SocketDescription who = new SocketDescription(client);
        boolean relaying = false;
        try {
            client.setTcpNoDelay(true);
            Hello hello = readHello(client, who);
            if (hello == null) {
                return;
            }
            client.setSoTimeout(0);
            switch (hello.parsed()) {
                case ServerName(String name) -> {
                    Optional<InetSocketAddress> route = lookUp(name);
                    if (route.isPresent()) {
                        log.debug("{}: SNI {} routed to {}", who, name, route.get());
                        relaying = relay(client, route.get(), null, hello, who, "SNI " + name);
                    } else {
                        log.debug("{}: SNI {} has no route; to the fallback {}", who, name, settings.fallback());
                        relaying = relay(client, settings.fallback(), proxyHeader(client), hello, who, "the fallback");
                    }
                }
                case NoServerName() -> {
                    log.debug("{}: no SNI; to the fallback {}", who, settings.fallback());
                    relaying = relay(client, settings.fallback(), proxyHeader(client), hello, who, "the fallback");
                }
                case NotTls(String why) -> {
                    if (settings.plainHttpToFallback() && ClientHelloParser.looksLikeHttp(hello.bytes(), hello.length())) {
                        log.debug("{}: plain HTTP; to the fallback {}", who, settings.fallback());
                        relaying = relay(client, settings.fallback(), proxyHeader(client), hello, who, "the fallback");
                    } else if (ClientHelloParser.looksLikeHttp(hello.bytes(), hello.length())) {
                        log.debug("{}: plain HTTP; answered 400", who);
                        answerPlainHttp(client, hello);
                    } else {
                        log.debug("{}: not TLS ({}); closed", who, why);
                    }
                }
                case NeedMoreBytes() -> throw new IllegalStateException("readHello returned an unfinished hello");
            }
        } catch (IOException e) {
            log.debug("{}: closed after an I/O error: {}", who, e.toString());
        } finally {
            if (!relaying) {
                release(client);
            }
        }
    }

    /** Reads until the hello is whole; null (logged) on end of stream, the deadline or the size limit. */
    private Hello readHello(Socket client, SocketDescription who) throws IOException {
        int max = settings.maxClientHelloBytes();
        byte[] buffer = new byte[Math.min(4096, max)];
        int length = 0;
        long deadline = System.nanoTime() + settings.handshakeTimeout().toNanos();
        InputStream in = client.getInputStream();
        while (true) {
            Parsed parsed = ClientHelloParser.parse(buffer, length);
            if (!(parsed instanceof NeedMoreBytes)) {
                return new Hello(buffer, length, parsed);
            }
            if (length == max) {
                log.debug("{}: no complete ClientHello in {} bytes (the limit); closed", who, max);
                return null;
            }
            if (length == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(2L * buffer.length, max));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                log.debug("{}: no complete ClientHello within {} ({} bytes); closed", who, settings.handshakeTimeout(), length);
                return null;
            }
            client.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left))));
            int n;
            try {
                n = in.read(buffer, length, buffer.length - length);
            } catch (SocketTimeoutException e) {
                continue; // the deadline check above reports it
            }
            if (n < 0) {
                log.debug("{}: ended after {} bytes, before its ClientHello was whole; closed", who, length);
                return null;
            }
            length += n;
        }
    }

    private Optional<InetSocketAddress> lookUp(String name) {
        try {
            return Objects.requireNonNullElse(settings.routes().route(name), Optional.empty());
        } catch (RuntimeException e) {
            log.warn("The route table failed on '{}'; sending the connection to the fallback", name, e);
            return Optional.empty();
        }
    }

    /**
     * Connects to {@code target}, sends {@code header} (if any) and the hello, and relays both
     * ways: this thread carries backend to client, a new one client to backend. Returns whether
     * the relay took the client socket over.
     */
    private boolean relay(Socket client, InetSocketAddress target, String header, Hello hello,
                          SocketDescription who, String what) {
        Socket backend = new Socket();
        if (!hold(backend)) {
            return false;
        }
        try {
            backend.connect(target, (int) Math.min(Integer.MAX_VALUE, settings.handshakeTimeout().toMillis()));
            backend.setTcpNoDelay(true);
            OutputStream out = backend.getOutputStream();
            if (header != null) {
                out.write(header.getBytes(StandardCharsets.US_ASCII));
            }
            out.write(hello.bytes(), 0, hello.length());
            out.flush();
        } catch (IOException e) {
            if (!closed.get()) {
                log.warn("{}: cannot reach {} at {}: {}", who, what, target, e.toString());
            }
            release(backend);
            return false;
        }
        Pipe pipe = new Pipe(client, backend, who);
        if (!spawn(() -> pipe.copy(client, backend))) {
            pipe.abort();
            return true;
        }
        pipe.copy(backend, client);
        return true;
    }

    /** One relayed connection: two sockets, two directions. */
    private final class Pipe {
        private final Socket client;
        private final Socket backend;
        private final SocketDescription who;
        private final AtomicInteger finished = new AtomicInteger();

        Pipe(Socket client, Socket backend, SocketDescription who) {
            this.client = client;
            this.backend = backend;
            this.who = who;
        }

        void copy(Socket from, Socket to) {
            byte[] buffer = new byte[RELAY_BUFFER];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
                to.shutdownOutput(); // pass the half-close on; the other way may still have bytes
            } catch (IOException e) {
                if (!closed.get()) {
                    log.debug("{}: relay ended: {}", who, e.toString());
                }
                abort();
                return;
            }
            if (finished.incrementAndGet() == 2) {
                abort();
            }
        }

        void abort() {
            release(client);
            release(backend);
        }
    }

    // ---- the fallback's PROXY header ------------------------------------------------------

    private static String proxyHeader(Socket client) {
        return proxyHeader((InetSocketAddress) client.getRemoteSocketAddress(),
                (InetSocketAddress) client.getLocalSocketAddress());
    }

    /**
     * The PROXY protocol v1 line for a connection from {@code source} to {@code destination}:
     * {@code PROXY TCP4 src dst srcport dstport\r\n}, or TCP6; mixed families are given as IPv6
     * (the IPv4 one as {@code ::ffff:a.b.c.d}).
     */
    static String proxyHeader(InetSocketAddress source, InetSocketAddress destination) {
        InetAddress src = source.getAddress();
        InetAddress dst = destination.getAddress();
        if (src == null || dst == null) {
            return "PROXY UNKNOWN\r\n";
        }
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        return "PROXY " + (v4 ? "TCP4 " : "TCP6 ") + text(src, v4) + " " + text(dst, v4) + " "
                + source.getPort() + " " + destination.getPort() + "\r\n";
    }

    private static String text(InetAddress address, boolean v4) {
        if (v4) {
            return address.getHostAddress();
        }
        if (address instanceof Inet4Address) {
            return "::ffff:" + address.getHostAddress();
        }
        String text = address.getHostAddress();
        int zone = text.indexOf('%');
        return zone < 0 ? text : text.substring(0, zone);
    }

    // ---- plain HTTP ----------------------------------------------------------------------------

    private void answerPlainHttp(Socket client, Hello hello) throws IOException {
        byte[] body = ("{\"error\":\"this port speaks TLS (HTTPS); use https://" + publicHostPort(client, hello)
                + "/ (plain HTTP is refused)\"}").getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        OutputStream out = client.getOutputStream();
        out.write(head);
        out.write(body);
        out.flush();
        client.shutdownOutput();
        // Read what else the client sent before closing: closing with unread bytes resets the
        // connection, and the client may lose the answer.
        long deadline = System.nanoTime() + Math.min(HTTP_DRAIN_TIME.toNanos(), settings.handshakeTimeout().toNanos());
        byte[] sink = new byte[4096];
        InputStream in = client.getInputStream();
        for (int drained = 0; drained < HTTP_DRAIN_LIMIT; ) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            client.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            int n;
            try {
                n = in.read(sink);
            } catch (SocketTimeoutException e) {
                return;
            }
            if (n < 0) {
                return;
            }
            drained += n;
        }
    }

    /** The {@code host:port} the client used: its Host header if sane, else the address it reached. */
    private static String publicHostPort(Socket client, Hello hello) {
        String request = new String(hello.bytes(), 0, hello.length(), StandardCharsets.ISO_8859_1);
        Matcher header = HOST_HEADER.matcher(request);
        if (header.find()) {
            Matcher value = HOST_VALUE.matcher(header.group(1).strip());
            if (value.matches()) {
                return value.group(2) != null ? value.group(0) : value.group(1) + ":" + client.getLocalPort();
            }
        }
        InetAddress local = client.getLocalAddress();
        String host = local instanceof Inet6Address ? "[" + text(local, false) + "]" : local.getHostAddress();
        return host + ":" + client.getLocalPort();
    }

    /** The client's address for log lines, read once (a closed socket forgets it). */
    private record SocketDescription(String text) {
        SocketDescription(Socket socket) {
            this("connection from " + socket.getRemoteSocketAddress());
        }

        @Override
        public String toString() {
            return text;
        }
    }

    // ---- settings ------------------------------------------------------------------------------

    /**
     * How the proxy runs; build with {@link #builder()}.
     *
     * @param bindHost            the interface to listen on ({@code 0.0.0.0} for all)
     * @param port                the port to listen on; 0 for any free one
     * @param routes              where server names go
     * @param fallback            the gateway's own HTTPS server, for everything without a route
     * @param maxClientHelloBytes the most bytes read while waiting for a whole ClientHello
     * @param handshakeTimeout    how long a client has to send its whole ClientHello; also how long
     *                            connecting to a backend may take
     * @param log                 where the proxy logs
     * @param plainHttpToFallback plain HTTP goes to the fallback too (a gateway serving plain HTTP on
     *                            loopback, as asked); else it is answered with a 400
     */
    public record Settings(String bindHost, int port, RouteTable routes, InetSocketAddress fallback,
                           int maxClientHelloBytes, Duration handshakeTimeout, Logger log, boolean plainHttpToFallback) {
        /** The default for {@link Builder#maxClientHelloBytes}: 16 KiB. */
        public static final int DEFAULT_MAX_CLIENT_HELLO_BYTES = 16 * 1024;
        /** The default for {@link Builder#handshakeTimeout}: 10 s. */
        public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
        static final int MIN_CLIENT_HELLO_BYTES = 512;
        static final int MAX_CLIENT_HELLO_BYTES = 1 << 20;

        /** Checks every value; the message names the bad one. */
        public Settings {
            if (bindHost == null || bindHost.isBlank()) {
                throw new IllegalArgumentException("No bind host for the SNI proxy ('" + bindHost
                        + "'); use 0.0.0.0 for every interface");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Bad port " + port + " for the SNI proxy (0 for any, else 1 to 65535)");
            }
            Objects.requireNonNull(routes, "no route table for the SNI proxy");
            Objects.requireNonNull(fallback, "no fallback address (the gateway's HTTPS server) for the SNI proxy");
            if (fallback.isUnresolved()) {
                throw new IllegalArgumentException("The SNI proxy's fallback address " + fallback + " does not resolve");
            }
            if (maxClientHelloBytes < MIN_CLIENT_HELLO_BYTES || maxClientHelloBytes > MAX_CLIENT_HELLO_BYTES) {
                throw new IllegalArgumentException("Bad maxClientHelloBytes " + maxClientHelloBytes + " for the SNI proxy ("
                        + MIN_CLIENT_HELLO_BYTES + " to " + MAX_CLIENT_HELLO_BYTES + ")");
            }
            if (handshakeTimeout == null || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
                throw new IllegalArgumentException("Bad handshakeTimeout " + handshakeTimeout
                        + " for the SNI proxy (want a positive duration)");
            }
            Objects.requireNonNull(log, "no logger for the SNI proxy");
        }

        /** A builder: {@code bindHost}, {@code routes} and {@code fallback} are required. */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Settings}; {@link #build()} checks every value. */
        public static final class Builder {
            private String bindHost;
            private int port;
            private RouteTable routes;
            private InetSocketAddress fallback;
            private int maxClientHelloBytes = DEFAULT_MAX_CLIENT_HELLO_BYTES;
            private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
            private Logger log = LoggerFactory.getLogger(SniProxy.class);
            private boolean plainHttpToFallback;

            private Builder() {
            }

            /** The interface to listen on: {@code 0.0.0.0} for all, {@code 127.0.0.1} for loopback only. */
            public Builder bindHost(String bindHost) {
                this.bindHost = bindHost;
                return this;
            }

            /** The port to listen on; 0 (the default) for any free one. */
            public Builder port(int port) {
                this.port = port;
                return this;
            }

            /** Where server names go. */
            public Builder routes(RouteTable routes) {
                this.routes = routes;
                return this;
            }

            /** The gateway's own HTTPS server (it must accept a PROXY protocol v1 header). */
            public Builder fallback(InetSocketAddress fallback) {
                this.fallback = fallback;
                return this;
            }

            /** The most bytes read while waiting for a whole ClientHello; default 16 KiB. */
            public Builder maxClientHelloBytes(int maxClientHelloBytes) {
                this.maxClientHelloBytes = maxClientHelloBytes;
                return this;
            }

            /** How long a client has to send its whole ClientHello (and a backend to accept); default 10 s. */
            public Builder handshakeTimeout(Duration handshakeTimeout) {
                this.handshakeTimeout = handshakeTimeout;
                return this;
            }

            /** Where the proxy logs; default the logger named after {@link SniProxy}. */
            public Builder log(Logger log) {
                this.log = log;
                return this;
            }

            /** Sends plain HTTP to the fallback instead of answering it with a 400 (default: a 400). */
            public Builder plainHttpToFallback(boolean yes) {
                this.plainHttpToFallback = yes;
                return this;
            }

            public Settings build() {
                return new Settings(bindHost, port, routes, fallback, maxClientHelloBytes, handshakeTimeout, log, plainHttpToFallback);
            }
        }
    }

    @Override
    public String toString() {
        return "SniProxy[" + settings.bindHost() + ":" + listener.getLocalPort() + (closed.get() ? ", closed" : "") + "]";
    }
}
