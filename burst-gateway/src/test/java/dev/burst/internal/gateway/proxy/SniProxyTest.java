package dev.burst.internal.gateway.proxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SniProxyTest {
    private static final String ROUTED = "echo.cluster.burst";
    private static final ch.qos.logback.classic.Logger LOG =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(SniProxyTest.class.getName() + ".proxy");

    @TempDir
    static Path dir;
    static TestTls.Identity backendIdentity;
    static TestTls.Identity fallbackIdentity;
    static EchoServer backend;
    static EchoServer fallback;
    static final Queue<String> asked = new ConcurrentLinkedQueue<>();

    private SniProxy proxy;
    private ListAppender<ILoggingEvent> logs;

    @BeforeAll
    static void startBackends() throws IOException {
        backendIdentity = TestTls.Identity.create(dir.resolve("backend"));
        fallbackIdentity = TestTls.Identity.create(dir.resolve("fallback"));
        backend = new EchoServer("backend", backendIdentity.server(), false);
        fallback = new EchoServer("fallback", fallbackIdentity.server(), true);
    }

    @AfterAll
    static void stopBackends() throws IOException {
        backend.close();
        fallback.close();
    }

    @BeforeEach
    void start() throws IOException {
        logs = new ListAppender<>();
        logs.start();
        LOG.addAppender(logs);
        LOG.setLevel(Level.DEBUG);
        LOG.setAdditive(false); // kept in the list, not printed
        asked.clear();
        proxy = SniProxy.start(settings().build());
    }

    @AfterEach
    void stop() {
        proxy.close();
        assertThat(proxy.liveThreads()).as("threads left after close").isZero();
        LOG.detachAppender(logs);
        assertThat(logs.list).as("warnings for clients' bad bytes")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }

    private static SniProxy.Settings.Builder settings() {
        Map<String, InetSocketAddress> table = Map.of(ROUTED, backend.address());
        return SniProxy.Settings.builder()
                .bindHost("127.0.0.1")
                .routes(name -> {
                    asked.add(name);
                    return Optional.ofNullable(table.get(name));
                })
                .fallback(fallback.address())
                .log(LOG);
    }

    private boolean logged(String text) {
        return logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
    }

    @Test
    void aRoutedNameReachesItsBackendWithTlsPassedThrough() throws IOException {
        try (SSLSocket client = TestTls.connect(proxy.port(), "Echo.Cluster.Burst")) {
            // the backend's own certificate: TLS ends there, not at the proxy
            assertThat(client.getSession().getPeerCertificates()[0]).isEqualTo(backendIdentity.certificate());
            assertThat(TestTls.roundTrip(client, "hello")).isEqualTo("backend:hello");
            assertThat(TestTls.roundTrip(client, "again")).isEqualTo("backend:again");
        }
        assertThat(asked).containsExactly(ROUTED);
        assertThat(backend.serverNames).contains("Echo.Cluster.Burst");
    }

    @Test
    void anUnknownNameOrNoNameReachesTheFallbackWithTheClientsAddress() throws IOException {
        int before = fallback.proxyHeaders.size();
        try (SSLSocket client = TestTls.connect(proxy.port(), "nobody.cluster.burst")) {
            assertThat(client.getSession().getPeerCertificates()[0]).isEqualTo(fallbackIdentity.certificate());
            assertThat(TestTls.roundTrip(client, "hi")).isEqualTo("fallback:hi");
            assertThat(fallback.proxyHeaders).hasSize(before + 1);
            assertThat(fallback.proxyHeaders).last().isEqualTo("PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort()
                    + " " + proxy.port() + "\r\n");
        }
        try (SSLSocket client = TestTls.connect(proxy.port(), null)) {
            assertThat(TestTls.roundTrip(client, "no name")).isEqualTo("fallback:no name");
            assertThat(fallback.proxyHeaders).last().isEqualTo("PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort()
                    + " " + proxy.port() + "\r\n");
        }
        assertThat(asked).containsExactly("nobody.cluster.burst");
    }

    @Test
    void plainHttpIsToldToUseHttps() throws IOException {
        String answer = exchange("GET / HTTP/1.1\r\nHost: gateway.example:" + proxy.port() + "\r\nAccept: */*\r\n\r\n");
        String body = "{\"error\":\"this port speaks TLS (HTTPS); use https://gateway.example:" + proxy.port()
                + "/ (plain HTTP is refused)\"}";
        assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n")
                .contains("\r\nContent-Type: application/json\r\n")
                .contains("\r\nContent-Length: " + body.length() + "\r\n")
                .endsWith("\r\n\r\n" + body);
        // no Host header, or a strange one: the address the client reached
        assertThat(exchange("GET / HTTP/1.0\r\n\r\n")).endsWith("use https://127.0.0.1:" + proxy.port()
                + "/ (plain HTTP is refused)\"}");
        assertThat(exchange("POST /x HTTP/1.1\r\nHost: \"><script>\r\n\r\n")).endsWith("use https://127.0.0.1:"
                + proxy.port() + "/ (plain HTTP is refused)\"}");
        assertThat(exchange("GET / HTTP/1.1\r\nhost: gw\r\n\r\n")).contains("use https://gw:" + proxy.port() + "/");
        assertThat(asked).isEmpty();
    }

    /** Sends {@code request} on a plain socket and reads until the proxy closes. */
    private String exchange(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void garbageAndTruncatedHellosAreClosedWithoutHarmingTheNextClient() throws IOException {
        byte[] garbage = new byte[300];
        new Random(1).nextBytes(garbage);
        garbage[0] = 0x00;
        assertThat(sendAndReadToEnd(garbage, true)).isEmpty();
        byte[] hello = ClientHellos.fromJdk(ROUTED);
        assertThat(sendAndReadToEnd(java.util.Arrays.copyOf(hello, hello.length / 2), true)).isEmpty();
        byte[] badLengths = hello.clone();
        badLengths[5 + 4 + 2 + 32] = 0x7f; // past headers, version and random: a session id of 127 bytes
        assertThat(sendAndReadToEnd(badLengths, false)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> logged("not TLS") && logged("before its ClientHello was whole")
                && logged("session id of 127"));
        try (SSLSocket client = TestTls.connect(proxy.port(), ROUTED)) {
            assertThat(TestTls.roundTrip(client, "still here")).isEqualTo("backend:still here");
        }
        assertThat(asked).containsExactly(ROUTED);
    }

    /** Sends {@code bytes} (then half-closes if asked) and returns what comes back before the proxy closes. */
    private byte[] sendAndReadToEnd(byte[] bytes, boolean halfClose) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(bytes);
            if (halfClose) {
                socket.shutdownOutput();
            }
            try {
                return socket.getInputStream().readAllBytes();
            } catch (java.net.SocketException reset) {
                return new byte[0]; // closed with our bytes unread: a reset, also a close
            }
        }
    }

    @Test
    void aSlowOrOversizeHelloIsClosed() throws IOException {
        proxy.close();
        proxy = SniProxy.start(settings().handshakeTimeout(Duration.ofMillis(300)).maxClientHelloBytes(512).build());
        byte[] hello = ClientHellos.fromJdk(ROUTED);
        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            slow.setSoTimeout(20_000);
            slow.getOutputStream().write(hello, 0, 20);
            assertThat(slow.getInputStream().read()).isEqualTo(-1); // closed at the deadline; nothing sent
        }
        byte[] big = ClientHellos.handMade(0, 2, 1, ClientHellos.extension(21, new byte[1000]));
        assertThat(sendAndReadToEnd(big, false)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> logged("within PT0.3S") && logged("in 512 bytes (the limit)"));
        assertThat(asked).isEmpty();
    }

    @Test
    void aHelloWrittenOneByteAtATimeStillRoutes() throws IOException {
        try (ServerSocket splitter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread relay = Thread.ofVirtual().start(() -> {
                try (Socket in = splitter.accept(); Socket out = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    out.setTcpNoDelay(true);
                    Thread back = Thread.ofVirtual().start(() -> copy(out, in, false));
                    copy(in, out, true);
                    back.join();
                } catch (IOException | InterruptedException e) {
                    // the test's assertions say what went wrong
                }
            });
            try (SSLSocket client = TestTls.connect(splitter.getLocalPort(), ROUTED)) {
                assertThat(TestTls.roundTrip(client, "bit by bit")).isEqualTo("backend:bit by bit");
            }
            relay.join(Duration.ofSeconds(20));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(asked).containsExactly(ROUTED);
    }

    private static void copy(Socket from, Socket to, boolean byteByByte) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[byteByByte ? 1 : 8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }

    @Test
    void aHalfCloseIsPassedOnBothWays() throws IOException, InterruptedException {
        // a plain TCP backend that reads to the end, then answers, then closes
        try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            proxy.close();
            proxy = SniProxy.start(settings().routes(name -> Optional.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), plain.getLocalPort()))).build());
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket s = plain.accept()) {
                    received.writeBytes(s.getInputStream().readAllBytes());
                    s.getOutputStream().write("got it".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // asserted below
                }
            });
            byte[] hello = ClientHellos.fromJdk("half.cluster.burst");
            byte[] answer = sendAndReadToEnd(ClientHellos.concat(hello, "and more".getBytes(StandardCharsets.US_ASCII)), true);
            server.join(Duration.ofSeconds(20));
            assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo("got it");
            assertThat(received.toByteArray()).isEqualTo(ClientHellos.concat(hello, "and more".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void closeEndsOpenRelaysAndStopsListening() throws IOException {
        int port = proxy.port();
        SSLSocket client = TestTls.connect(port, ROUTED);
        assertThat(TestTls.roundTrip(client, "before")).isEqualTo("backend:before");
        proxy.close();
        assertThat(proxy.liveThreads()).isZero();
        try (client) {
            assertThatThrownBy(() -> {
                if (client.getInputStream().read() < 0) {
                    throw new IOException("end of stream");
                }
            }).isInstanceOf(IOException.class);
        }
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(ConnectException.class);
        proxy.close(); // twice is fine
    }

    @Test
    void proxyHeadersNameBothEnds() throws IOException {
        InetSocketAddress v4client = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 50123);
        InetSocketAddress v4local = new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 443);
        InetSocketAddress v6client = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 50123);
        InetSocketAddress v6local = new InetSocketAddress(InetAddress.getByName("::1"), 443);
        assertThat(SniProxy.proxyHeader(v4client, v4local)).isEqualTo("PROXY TCP4 192.0.2.7 10.0.0.1 50123 443\r\n");
        assertThat(SniProxy.proxyHeader(v6client, v6local))
                .isEqualTo("PROXY TCP6 2001:db8:0:0:0:0:0:7 0:0:0:0:0:0:0:1 50123 443\r\n");
        assertThat(SniProxy.proxyHeader(v4client, v6local))
                .isEqualTo("PROXY TCP6 ::ffff:192.0.2.7 0:0:0:0:0:0:0:1 50123 443\r\n");
    }

    @Test
    void settingsNameTheBadValue() {
        assertThatThrownBy(() -> settings().bindHost(" ").build()).hasMessageContaining("No bind host");
        assertThatThrownBy(() -> settings().port(70000).build()).hasMessageContaining("Bad port 70000");
        assertThatThrownBy(() -> settings().routes(null).build()).hasMessageContaining("no route table");
        assertThatThrownBy(() -> settings().fallback(null).build()).hasMessageContaining("no fallback");
        assertThatThrownBy(() -> settings().maxClientHelloBytes(10).build()).hasMessageContaining("Bad maxClientHelloBytes 10");
        assertThatThrownBy(() -> settings().handshakeTimeout(Duration.ZERO).build()).hasMessageContaining("Bad handshakeTimeout PT0S");
        SniProxy.Settings defaults = settings().build();
        assertThat(defaults.maxClientHelloBytes()).isEqualTo(16 * 1024);
        assertThat(defaults.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.port()).isZero();
    }
}
