package dev.burst.internal.cluster;

import dev.burst.internal.core.WorkerId;
import dev.burst.internal.loop.SchedulerEndpoint;
import dev.burst.internal.loop.SchedulerLoop;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.schedulernode.RemoteEndpoint;
import dev.burst.internal.schedulernode.SchedulerNode;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ClusterCredentials;
import dev.burst.internal.transport.LocalIdentity;
import dev.burst.internal.usage.UsageLedger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A scheduler in this JVM serving workers and clients over TLS: a {@link SchedulerNode} with a
 * fresh token and the user's local TLS identity, its files in the cluster's directory. Worker
 * processes of every backend (local, Slurm, a toy in a test) join it.
 */
public final class NetworkScheduler implements ClusterScheduler {
    private final SchedulerNode node;
    private final Path tokenFile;
    private final Path keyStoreDir;
    private final Path clientDir;
    private final Path clusterDir;
    private volatile boolean closed;

    /** Starts a scheduler bound to {@code host} on a free port; its files go under {@code clusterDir}. */
    public NetworkScheduler(String host, SchedulerConfig config, Path clusterDir) throws IOException {
        ClusterCredentials credentials = LocalIdentity.credentials(clusterDir);
        this.tokenFile = credentials.tokenFile();
        this.keyStoreDir = tokenFile.getParent();
        this.clientDir = clusterDir.resolve("client");
        this.clusterDir = clusterDir;
        this.node = new SchedulerNode(host, 0, credentials, config, clusterDir.resolve("scheduler"));
    }

    /** The node, for tests in the runtime. */
    public SchedulerNode node() {
        return node;
    }

    /** Where the cluster's TLS identity is, for workers on machines that see it. */
    public Path keyStoreDir() {
        return keyStoreDir;
    }

    @Override
    public SchedulerLoop loop() {
        return node.loop();
    }

    @Override
    public SchedulerEndpoint connectClient() {
        if (closed) {
            throw new IllegalStateException("the scheduler at " + node.address() + " is closed");
        }
        return RemoteEndpoint.open(node.address(), ClusterCredentials.fromTokenFile(tokenFile), clientDir);
    }

    @Override
    public List<WorkerId> workerIds() {
        return node.workerIds();
    }

    @Override
    public String workerName(WorkerId id) {
        return node.workerName(id);
    }

    @Override
    public java.util.Map<WorkerId, WorkerCounters> workerCounters() {
        java.util.Map<WorkerId, WorkerCounters> out = new java.util.HashMap<>();
        for (SchedulerNode.WorkerFigures f : node.workerFigures()) {
            out.put(f.worker(), new WorkerCounters(f.busyNanos(), f.cpuNanos(), f.spilledBytes(), f.executing()));
        }
        return out;
    }

    @Override
    public void reportFigures(UsageLedger ledger) {
        node.reportFigures(ledger);
    }

    @Override
    public Optional<BurstAddress> address() {
        return Optional.of(node.address());
    }

    @Override
    public Optional<Path> tokenFile() {
        return Optional.of(tokenFile);
    }

    @Override
    public void close() {
        closed = true;
        node.close();
    }

    /** The keeper's name, as workers' names show in status and logs. */
    public static final String RESULT_KEEPER = "result-keeper";

    @Override
    public dev.burst.internal.workerprocess.WorkerNode startResultKeeper() throws IOException {
        ClusterCredentials own = node.credentials();
        ClusterCredentials serving = ClusterCredentials.withKeyStore(own.keyStoreBytes(), own.keyStorePassword(), own.token(),
                own.clientOnlyToken());
        // Half the heap: results beyond it spill to the keeper's directory, as on any worker.
        return new dev.burst.internal.workerprocess.WorkerNode(new dev.burst.internal.workerprocess.WorkerNode.Settings(
                node.address(), ClusterCredentials.fromTokenFile(tokenFile), 1, Runtime.getRuntime().maxMemory() / 2,
                dev.burst.internal.core.ResourceAmounts.NONE, node.address().host(), RESULT_KEEPER,
                java.nio.file.Files.createDirectories(clusterDir.resolve(RESULT_KEEPER)), serving, null, List.of()));
    }
}
