package dev.burst.internal.cli;

import dev.burst.internal.resources.GpuDetection;
import dev.burst.internal.resources.MemorySize;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ClusterCredentials;
import dev.burst.internal.workerprocess.WorkerMain;
import dev.burst.internal.workerprocess.WorkerNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code burst worker}: runs a worker for a scheduler until the scheduler stops it or Ctrl-C. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run a worker that takes tasks from a scheduler, until Ctrl-C or the scheduler stops.")
final class WorkerServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--scheduler", required = true, description = "The scheduler, e.g. burst://127.0.0.1:8786.")
    String scheduler;

    @Option(names = "--threads", description = "Executor threads, which is the worker's cpu (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--memory", description = "Memory for results, e.g. 8g; spills to disk above 60%%, pauses above 80%% "
            + "(default: ${DEFAULT-VALUE}).")
    String memory = "2g";

    @Option(names = "--resources", description = "Other resources it offers, e.g. gpu=1,ssd=1.")
    String resources = "";

    @Option(names = "--gpus", description = "GPU devices handed to tasks that hold gpu, e.g. 0,1; or auto (detect with "
            + "CUDA_VISIBLE_DEVICES or nvidia-smi) or none. Advertises gpu=N unless --resources gives gpu, which must agree "
            + "(default: auto, trusting --resources gpu=N).")
    String gpus;

    @Option(names = "--host", description = "Address this worker serves results on, and is known by to peers and clients: "
            + "this machine's name or IP for a cluster across machines (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--token-file", description = "The scheduler's token file (default: $BURST_TOKEN_FILE, "
            + "else ~/.burst/schedulers/<host>-<port>/token).")
    Path tokenFile;

    @Option(names = "--name", description = "A name for logs.")
    String name = "";

    @Override
    public Integer call() throws Exception {
        BurstAddress address;
        long memoryBytes;
        GpuDetection.WorkerGpus workerGpus;
        try {
            address = BurstAddress.parse(scheduler);
            memoryBytes = MemorySize.parse(memory, "--memory");
            workerGpus = GpuDetection.resolve(gpus, WorkerMain.parseResources(resources), GpuDetection::detect);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            // The address is also the worker's name: peers and clients fetch results from it.
            throw new ParameterException(spec.commandLine(), "--host must be an address other machines can reach "
                    + "this worker at (its name or IP), not the wildcard " + host);
        }
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
        }
        ServiceLogging.forService();
        ClusterCredentials credentials = tokenFile != null ? ClusterCredentials.fromTokenFile(tokenFile)
                : ClusterCredentials.forAddress(address);
        Path work = Files.createTempDirectory("burst-worker-");
        WorkerNode node = new WorkerNode(new WorkerNode.Settings(address, credentials, threads, memoryBytes,
                workerGpus.resources(), host, name, work, null, null, workerGpus.devices()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            WorkerMain.deleteTree(work);
        }, "burst-worker-shutdown"));
        System.out.println("worker " + node.id() + " connected to " + address + " (" + threads + " threads, memory " + memory + ")");
        System.out.flush();
        node.awaitStopped();
        WorkerMain.deleteTree(work);
        return 0;
    }
}
