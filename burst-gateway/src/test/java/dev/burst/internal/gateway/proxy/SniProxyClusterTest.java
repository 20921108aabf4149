package dev.burst.internal.gateway.proxy;

import dev.burst.Client;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;
import dev.burst.internal.protocol.wire.DataRequest;
import dev.burst.internal.protocol.wire.TaskKey;
import dev.burst.internal.protocol.wire.WorkerGrpc;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ClusterCredentials;
import dev.burst.internal.transport.GatewayRoutes;
import dev.burst.internal.transport.GatewayRoutes.Target;
import dev.burst.internal.transport.Transport;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real cluster of worker processes reached only through the proxy: the client's scheduler
 * traffic by the cluster's route, its result fetches by worker routes, all on the proxy's port.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SniProxyClusterTest {
    private static final String ROUTE = "c-test1234.cluster.burst";

    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static ServerSocket fallback;
    static SniProxy proxy;
    static Path clientTokenFile;
    static final Queue<String> clusterAsks = new ConcurrentLinkedQueue<>();
    static final Queue<String> workerAsks = new ConcurrentLinkedQueue<>();
    static final Queue<String> otherAsks = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws IOException {
        cluster = LocalCluster.builder().processes(true).workers(1).recordUsage(false).build();
        BurstAddress scheduler = BurstAddress.parse(cluster.address().orElseThrow());
        ClusterCredentials credentials = ClusterCredentials.fromTokenFile(cluster.tokenFile().orElseThrow());
        clientTokenFile = ClusterCredentials.writeClientTokenFile(dir.resolve("client").resolve("token"),
                credentials.token(), credentials.certificateSha256(), ROUTE);
        fallback = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // accepts, never answers
        proxy = SniProxy.start(SniProxy.Settings.builder().bindHost("127.0.0.1").fallback(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), fallback.getLocalPort()))
                .routes(name -> route(name, scheduler)).build());
    }

    /** The test's route table: this one cluster, and any loopback worker of it. */
    private static Optional<InetSocketAddress> route(String name, BurstAddress scheduler) {
        return switch (GatewayRoutes.parse(name)) {
            case Target.Cluster(String route) when route.equals(ROUTE) -> {
                clusterAsks.add(name);
                yield Optional.of(new InetSocketAddress(scheduler.host(), scheduler.port()));
            }
            case Target.Worker(var worker, String route) when route.equals(ROUTE) && isLoopback(worker.host()) -> {
                workerAsks.add(name);
                yield Optional.of(new InetSocketAddress(worker.host(), worker.port()));
            }
            default -> {
                otherAsks.add(name);
                yield Optional.empty();
            }
        };
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress(); // literals only here: no lookup
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (fallback != null) {
            fallback.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aClientReachesTheSchedulerAndTheWorkersThroughTheProxyOnly() throws Exception {
        try (Client client = Client.connect("burst://127.0.0.1:" + proxy.port(), clientTokenFile)) {
            TaskFuture<Integer> answer = client.submit(() -> 6 * 7);
            assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo(42);
            List<TaskFuture<Integer>> squares = client.map(x -> x * x, IntStream.range(0, 50).boxed().toList());
            assertThat(client.gather(squares, Duration.ofSeconds(60)))
                    .isEqualTo(IntStream.range(0, 50).map(x -> x * x).boxed().toList());
        }
        // the route as SNI (what grpc-netty sends for the channel's authority), then each worker's
        assertThat(clusterAsks).isNotEmpty().containsOnly(ROUTE);
        assertThat(workerAsks).isNotEmpty()
                .allSatisfy(name -> assertThat(name).matches("w-127-0-0-1-[0-9]+\\." + ROUTE.replace(".", "\\.")));
        assertThat(otherAsks).isEmpty();
    }

    @Test
    void withoutARouteTheChannelSendsNoServerNameSoTheProxyCannotRouteIt() {
        // the cluster's own token file has no route: authority "localhost", which has no dot, so no SNI
        int before = otherAsks.size() + clusterAsks.size() + workerAsks.size();
        ClusterCredentials direct = ClusterCredentials.fromTokenFile(cluster.tokenFile().orElseThrow());
        ManagedChannel channel = Transport.channel(new BurstAddress("127.0.0.1", proxy.port()), direct);
        try {
            assertThatThrownBy(() -> WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                    .getData(DataRequest.newBuilder().addKeys(TaskKey.newBuilder().setPrefix("x")).build()).hasNext())
                    .isInstanceOf(StatusRuntimeException.class);
        } finally {
            channel.shutdownNow();
        }
        assertThat(otherAsks.size() + clusterAsks.size() + workerAsks.size()).isEqualTo(before);
    }
}
