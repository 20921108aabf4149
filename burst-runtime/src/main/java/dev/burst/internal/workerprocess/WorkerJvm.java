package dev.burst.internal.workerprocess;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options of a worker process, the same wherever it is started (a child process of a
 * local cluster, a Slurm job): a heap sized from the worker's result memory, the parallel
 * collector, the module openings Fory and Netty need, an AOT cache ({@link AotCache}) or else a
 * class-data-sharing archive ({@link ClassDataArchive}), and the user's extra options from {@code BURST_WORKER_JAVA_OPTS}.
 */
public final class WorkerJvm {
    private WorkerJvm() {
    }

    /** The heap in MB: twice the worker's result memory, and at least 512 MB more than it. */
    public static long heapMb(long memoryBytes) {
        return Math.max(2 * memoryBytes, memoryBytes + (512L << 20)) >> 20;
    }

    /**
     * Options between {@code java} and {@code -cp}.
     *
     * @param instance replaces {@code {n}} in {@code BURST_WORKER_JAVA_OPTS} (e.g. a profiler's
     *                 output file per worker)
     */
    public static List<String> options(String java, String classpath, long memoryBytes, String instance) {
        List<String> opts = new ArrayList<>();
        opts.add("-Xmx" + heapMb(memoryBytes) + "m");
        opts.add("-XX:+UseParallelGC");
        opts.add("--add-opens=java.base/java.lang.invoke=ALL-UNNAMED"); // Fory reads lambda internals
        opts.add("--enable-native-access=ALL-UNNAMED");                  // Netty's native transports
        if (!"0".equals(System.getenv("BURST_WORKER_CDS"))) {
            // An AOT cache (JDK 25) where it applies, else the class-data archive.
            List<String> aot = AotCache.jvmOptions(java, classpath, List.copyOf(opts),
                    dev.burst.BurstDirectories.fromEnvironment().cache());
            opts.addAll(aot != null ? aot : ClassDataArchive.jvmOptions(java, classpath));
        }
        String extra = System.getenv("BURST_WORKER_JAVA_OPTS"); // e.g. a profiler or GC flags
        if (extra != null && !extra.isBlank()) {
            opts.addAll(List.of(extra.trim().replace("{n}", instance).split("\\s+")));
        }
        return opts;
    }
}
