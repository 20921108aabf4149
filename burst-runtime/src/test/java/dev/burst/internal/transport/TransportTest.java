package dev.burst.internal.transport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import dev.burst.internal.protocol.wire.DataBatch;
import dev.burst.internal.protocol.wire.DataChunk;
import dev.burst.internal.protocol.wire.DataRequest;
import dev.burst.internal.protocol.wire.TaskKey;
import dev.burst.internal.protocol.wire.WorkerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportTest {
    @TempDir
    static Path dir;
    static ClusterCredentials scheduler;
    static Server server;
    static BurstAddress address;

    private final List<ManagedChannel> channels = new ArrayList<>();
    private ListAppender<ILoggingEvent> logs;

    /** Answers any request with one chunk. */
    static final class OneChunk extends WorkerGrpc.WorkerImplBase {
        @Override
        public void getData(DataRequest request, StreamObserver<DataBatch> out) {
            out.onNext(DataBatch.newBuilder().addChunks(DataChunk.newBuilder().setKey(request.getKeys(0)).setTotal(5)
                    .setData(ByteString.copyFromUtf8("hello")).setLast(true)).build());
            out.onCompleted();
        }
    }

    @BeforeAll
    static void startServer() {
        scheduler = ClusterCredentials.forScheduler(dir.resolve("scheduler"));
        server = Transport.server("127.0.0.1", 0, scheduler, new OneChunk());
        address = new BurstAddress("127.0.0.1", server.getPort());
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Transport.class)).addAppender(logs);
    }

    @AfterEach
    void closeChannels() throws InterruptedException {
        ((Logger) LoggerFactory.getLogger(Transport.class)).detachAppender(logs);
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private ManagedChannel channel(BurstAddress to, ClusterCredentials credentials) {
        ManagedChannel channel = Transport.channel(to, credentials);
        channels.add(channel);
        return channel;
    }

    private static String fetch(ManagedChannel channel) {
        Iterator<DataBatch> batches = WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .getData(DataRequest.newBuilder().addKeys(TaskKey.newBuilder().setPrefix("x").setId(7)).build());
        DataChunk chunk = batches.next().getChunks(0);
        assertThat(batches.hasNext()).isFalse();
        assertThat(chunk.getKey().getId()).isEqualTo(7);
        return chunk.getData().toStringUtf8();
    }

    private List<String> warnings() {
        synchronized (logs.list) {
            return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void aClientWithTheTokenFileIsServed() {
        assertThat(fetch(channel(address, ClusterCredentials.fromTokenFile(scheduler.tokenFile())))).isEqualTo("hello");
        assertThat(warnings()).isEmpty();
    }

    @Test
    void aWrongTokenIsUnauthenticatedAndLoggedOnce() throws IOException {
        Path file = Files.writeString(dir.resolve("wrong-token"),
                "token=not-the-token\ncertificate-sha256=" + scheduler.certificateSha256() + "\n");
        ManagedChannel wrong = channel(address, ClusterCredentials.fromTokenFile(file));
        assertThatThrownBy(() -> fetch(wrong))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED))
                .hasMessageContaining("wrong token");
        assertThat(fetch(channel(address, scheduler))).isEqualTo("hello");
        assertThat(warnings()).singleElement().satisfies(w -> assertThat(w)
                .contains("Refused a call to burst.v1.Worker/GetData from /127.0.0.1:")
                .contains("wrong token")
                .doesNotContain("not-the-token").doesNotContain(scheduler.token()));
    }

    @Test
    void garbageBytesAreLoggedOnceAndTheServerGoesOn() throws IOException {
        int localPort;
        try (Socket socket = new Socket("127.0.0.1", address.port())) {
            localPort = socket.getLocalPort();
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // the server closes the connection
            }
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> !warnings().isEmpty());
        assertThat(fetch(channel(address, scheduler))).isEqualTo("hello");
        assertThat(warnings()).singleElement().satisfies(w -> assertThat(w)
                .contains("Refused a connection from /127.0.0.1:" + localPort)
                .contains("does not speak TLS"));
    }

    @Test
    void aPortProbeIsNotAWarning() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", address.port())) {
            assertThat(socket.isConnected()).isTrue();
        }
        assertThat(fetch(channel(address, scheduler))).isEqualTo("hello");
        assertThat(warnings()).isEmpty();
    }

    @Test
    void aClientPinningAnotherCertificateFailsTheHandshake() throws IOException {
        Path file = Files.writeString(dir.resolve("other-pin"),
                "token=" + scheduler.token() + "\ncertificate-sha256=" + "0".repeat(64) + "\n");
        ManagedChannel other = channel(address, ClusterCredentials.fromTokenFile(file));
        assertThatThrownBy(() -> fetch(other))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        // the client's alert tells the server why, and the server says so once
        await().atMost(10, TimeUnit.SECONDS).until(() -> !warnings().isEmpty());
        assertThat(fetch(channel(address, scheduler))).isEqualTo("hello");
        assertThat(warnings()).singleElement().satisfies(w -> assertThat(w)
                .contains("Refused a connection from /127.0.0.1:").contains("TLS handshake failed")
                .contains("aborted the handshake with alert"));
    }

    @Test
    void aWorkerServesWithTheClusterIdentityToBothTokens() throws Exception {
        ClusterCredentials worker = ClusterCredentials.withKeyStore(
                scheduler.keyStoreBytes(), scheduler.keyStorePassword(), scheduler.token(), scheduler.clientOnlyToken());
        Server peer = Transport.server("127.0.0.1", 0, worker, new OneChunk());
        try {
            ClusterCredentials client = ClusterCredentials.fromTokenFile(scheduler.tokenFile());
            assertThat(client.clientOnlyToken()).isNotNull().isNotEqualTo(client.token());
            assertThat(fetch(channel(new BurstAddress("127.0.0.1", peer.getPort()), client))).isEqualTo("hello");
            // A gateway's user holds only the client token: results are theirs to fetch too.
            java.nio.file.Path clientOnly = java.nio.file.Files.writeString(scheduler.tokenFile().resolveSibling("client-only"),
                    "token=" + scheduler.clientOnlyToken() + "\ncertificate-sha256=" + scheduler.certificateSha256() + "\n");
            assertThat(fetch(channel(new BurstAddress("127.0.0.1", peer.getPort()), ClusterCredentials.fromTokenFile(clientOnly))))
                    .isEqualTo("hello");
        } finally {
            peer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(warnings()).isEmpty();
    }

    @Test
    void clientCredentialsCannotServeAndAPortInUseIsClear() {
        ClusterCredentials client = ClusterCredentials.fromTokenFile(scheduler.tokenFile());
        assertThatThrownBy(() -> Transport.server("127.0.0.1", 0, client, new OneChunk()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot serve");
        assertThatThrownBy(() -> Transport.server("127.0.0.1", address.port(), scheduler, new OneChunk()))
                .hasMessageContaining("Cannot listen on 127.0.0.1:" + address.port());
    }
}
