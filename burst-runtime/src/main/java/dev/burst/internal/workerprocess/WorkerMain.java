package dev.burst.internal.workerprocess;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.resources.GpuDetection;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ClusterCredentials;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Entry point of a worker process started by a cluster of local processes (the command line's
 * {@code burst worker} has its own, with help and validation). Arguments:
 * {@code --scheduler burst://host:port --token-file F --threads N --memory BYTES [--resources a=1,b=2]
 * [--gpus 0,1|auto|none] [--name NAME] [--host BIND_HOST] [--work-dir DIR] [--key-store-dir DIR] [--standby true]}.
 * {@code --gpus} names the GPU devices handed to tasks; without it they are detected, and a
 * {@code --resources gpu=N} with no devices found means devices {@code 0..N-1} (see {@link GpuDetection}).
 * {@code --key-store-dir} names where the cluster's TLS identity is, so the worker need not ask the
 * scheduler for it; {@code --standby} makes a warm spare that joins when a line arrives on stdin.
 */
public final class WorkerMain {
    /** What a spare prints once it has warmed up (its cluster waits for it while starting). */
    public static final String STANDBY_READY = "burst: standby worker ready";

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected an option, got '" + args[i] + "'");
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        BurstAddress scheduler = BurstAddress.parse(required(opts, "scheduler"));
        ClusterCredentials credentials = ClusterCredentials.fromTokenFile(Path.of(required(opts, "token-file")));
        Path workDir = opts.containsKey("work-dir") ? Path.of(opts.get("work-dir")) : Files.createTempDirectory("burst-worker-");
        ClusterCredentials serving = null;
        if (opts.containsKey("key-store-dir")) { // a local cluster's worker: the identity is on this machine
            Path dir = Path.of(opts.get("key-store-dir"));
            serving = ClusterCredentials.withKeyStore(Files.readAllBytes(dir.resolve(ClusterCredentials.KEY_STORE_FILE)),
                    Files.readString(dir.resolve(ClusterCredentials.PASSWORD_FILE)).strip(), credentials.token(),
                    credentials.clientOnlyToken());
        }
        // A spare kept by a local cluster: it starts completely (classes, TLS connection, data server,
        // codecs) and then waits until the cluster needs a worker (a line on stdin) or is closed (end
        // of input), so that joining costs a hello, not a JVM start.
        boolean standby = opts.containsKey("standby");
        BeforeJoin gate = !standby ? null : new BeforeJoin() {
            @Override
            public boolean await() throws java.io.IOException {
                warmUpCodecs();
                System.out.println(STANDBY_READY);
                System.out.flush();
                return new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine() != null;
            }

            @Override
            public void abandoned(String why) {
                // Exit now rather than be promoted later and fail then: the cluster sees the spare gone.
                System.err.println("burst: spare worker exits: " + why);
                Runtime.getRuntime().halt(3);
            }
        };
        WorkerNode node;
        try {
            GpuDetection.WorkerGpus gpus = GpuDetection.resolve(opts.get("gpus"),
                    parseResources(opts.getOrDefault("resources", "")), GpuDetection::detect);
            node = new WorkerNode(new WorkerNode.Settings(scheduler, credentials,
                    Integer.parseInt(required(opts, "threads")), Long.parseLong(required(opts, "memory")),
                    gpus.resources(), opts.getOrDefault("host", "127.0.0.1"),
                    opts.getOrDefault("name", ""), workDir, serving, gate, gpus.devices()));
        } catch (Exception e) {
            if (!opts.containsKey("work-dir")) {
                deleteTree(workDir);
            }
            if (standby && BeforeJoin.NOT_JOINING.equals(e.getMessage())) {
                System.exit(0); // a spare the cluster let go
            }
            System.err.println("burst worker: " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean ownWorkDir = !opts.containsKey("work-dir");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close(); // on a signal: the main thread may not get to clean up
            if (ownWorkDir) {
                deleteTree(workDir);
            }
        }, "burst-worker-shutdown"));
        node.awaitStopped();
        if (!opts.containsKey("work-dir")) {
            deleteTree(workDir);
        }
        System.exit(0);
    }

    /** Loads what the first task would (Fory and its serializers), so that it runs at full speed. */
    private static void warmUpCodecs() {
        dev.burst.internal.protocol.ObjectCodec codec = new dev.burst.internal.protocol.ObjectCodec(WorkerMain.class.getClassLoader());
        codec.decode(codec.encode(java.util.List.of(dev.burst.internal.task.TaskCall.TaskArguments.inputs(0))));
    }

    private static String required(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    /** {@code gpu=1,ssd=2} as amounts; {@code cpu} is the thread count and may not be given. */
    public static ResourceAmounts parseResources(String spec) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (spec.isBlank()) {
            return ResourceAmounts.of(out);
        }
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("resource '" + part + "' is not name=amount (e.g. gpu=1)");
            }
            String name = kv[0].trim();
            if (name.equals(ResourceAmounts.CPU)) {
                throw new IllegalArgumentException("a worker's cpu is its thread count: use --threads, not --resources cpu=...");
            }
            double amount;
            try {
                amount = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("resource '" + name + "' has amount '" + kv[1] + "', not a number");
            }
            if (!(amount > 0)) {
                throw new IllegalArgumentException("resource '" + name + "' must be > 0, got " + kv[1]);
            }
            out.put(name, amount);
        }
        return ResourceAmounts.of(out);
    }

    public static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // best effort: a temp dir
        }
    }
}
