package dev.burst.spi;

import dev.burst.internal.workerprocess.WorkerJvm;
import dev.burst.internal.workerprocess.WorkerMain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How to start a worker process that joins one cluster: the command line of a worker JVM, the same
 * wherever it runs (a child process, a Slurm job, a pod), so a backend never assembles one itself.
 * The worker connects to the scheduler over TLS with the cluster's token, read from
 * {@link #tokenFile()}, which the machine running it must see.
 */
public final class WorkerLaunch {
    private final String schedulerAddress;
    private final Path tokenFile;
    private final Path keyStoreDir;
    private final String classpath;
    private final WorkerShape shape;

    /**
     * @param schedulerAddress {@code burst://host:port}
     * @param tokenFile        the cluster's token file
     * @param keyStoreDir      where the cluster's TLS identity is (the worker then need not ask the scheduler), or null
     * @param classpath        the worker JVM's class path, absolute entries
     * @param shape            what each worker looks like
     */
    public WorkerLaunch(String schedulerAddress, Path tokenFile, Path keyStoreDir, String classpath, WorkerShape shape) {
        this.schedulerAddress = Objects.requireNonNull(schedulerAddress, "schedulerAddress");
        this.tokenFile = Objects.requireNonNull(tokenFile, "tokenFile");
        this.keyStoreDir = keyStoreDir;
        this.classpath = Objects.requireNonNull(classpath, "classpath");
        this.shape = Objects.requireNonNull(shape, "shape");
    }

    public String schedulerAddress() {
        return schedulerAddress;
    }

    public Path tokenFile() {
        return tokenFile;
    }

    /** Where the cluster's TLS identity is, for workers that see this machine's files; null: they ask the scheduler. */
    public Path keyStoreDir() {
        return keyStoreDir;
    }

    public String classpath() {
        return classpath;
    }

    /** This JVM's {@code java}, for workers on this machine. */
    public static String thisJava() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The command line of worker {@code workerName} on this machine (program first). */
    public List<String> command(String workerName, Path workDir) {
        return command(thisJava(), List.of(), workerName, workDir);
    }

    /**
     * The command line of worker {@code workerName} (program first).
     *
     * @param javaCommand the {@code java} to run (on the machine the worker runs on)
     * @param jvmOptions  more JVM options after Burst's own (heap, collector, openings, class-data archive)
     * @param workDir     the worker's scratch directory (spilled results, fetched jars), or null for a temporary one
     */
    public List<String> command(String javaCommand, List<String> jvmOptions, String workerName, Path workDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand);
        cmd.addAll(WorkerJvm.options(javaCommand, classpath, shape.memoryBytes(), workerName));
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(WorkerMain.class.getName());
        cmd.addAll(List.of("--scheduler", schedulerAddress, "--token-file", tokenFile.toString(),
                "--threads", String.valueOf(shape.threads()), "--memory", String.valueOf(shape.memoryBytes()),
                "--name", workerName));
        if (workDir != null) {
            cmd.addAll(List.of("--work-dir", workDir.toString()));
        }
        if (keyStoreDir != null) {
            cmd.addAll(List.of("--key-store-dir", keyStoreDir.toString()));
        }
        String resources = shape.resources().asMap().entrySet().stream()
                .map((Map.Entry<String, Double> e) -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        if (!resources.isEmpty()) {
            cmd.addAll(List.of("--resources", resources));
        }
        return cmd;
    }

    @Override
    public String toString() {
        return "WorkerLaunch{" + schedulerAddress + ", " + shape + "}";
    }
}
