package dev.burst.internal.slurm;

import dev.burst.internal.workerprocess.WorkerJvm;
import dev.burst.spi.WorkerLaunch;
import dev.burst.spi.WorkerShape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The batch script of one worker: {@code #SBATCH} directives from its {@link SlurmSettings} and
 * {@link WorkerShape}, then {@code exec java ... WorkerMain}, so that the JVM is the job's process
 * and gets Slurm's SIGTERM itself (on {@code scancel} or at the walltime) and shuts down cleanly.
 *
 * <p>Memory: the worker's heap is sized like a local worker's (twice its result memory, at least
 * 512 MB more than it), and the job asks for the heap plus a quarter (at least 256 MB) for the
 * JVM's own memory (metaspace, threads, direct buffers), so that Slurm's memory limit does not
 * kill a worker whose heap is not full. The worker's scratch dir is left to the worker (a temp
 * dir on the compute node's local disk, deleted when it exits).
 *
 * @param workerName the job name, and the name the worker joins the scheduler with
 * @param scriptFile where the script is written
 * @param logFile    the job's {@code --output} (stdout and stderr)
 * @param text       the script
 */
public record SlurmJobScript(String workerName, Path scriptFile, Path logFile, String text) {

    /** The script for worker {@code workerName}, to be written under the settings' work dir. */
    public static SlurmJobScript render(String workerName, SlurmSettings settings, WorkerShape shape) {
        Path script = settings.workDir().resolve(workerName + ".sbatch");
        Path log = settings.workDir().resolve(workerName + ".log");
        List<String> lines = new ArrayList<>();
        lines.add("#!/bin/bash");
        lines.add("#SBATCH --job-name=" + workerName);
        if (!settings.partition().isEmpty()) {
            lines.add("#SBATCH --partition=" + settings.partition());
        }
        if (!settings.account().isEmpty()) {
            lines.add("#SBATCH --account=" + settings.account());
        }
        lines.add("#SBATCH --nodes=1");
        lines.add("#SBATCH --ntasks=1");
        lines.add("#SBATCH --cpus-per-task=" + shape.threads());
        lines.add("#SBATCH --mem=" + jobMemoryMb(shape.memoryBytes()) + "M");
        lines.add("#SBATCH --time=" + settings.walltime());
        lines.add("#SBATCH --output=" + log);
        if (shape.gpus() > 0) {
            lines.add("#SBATCH --gres=gpu:" + shape.gpus());
        }
        for (String d : settings.extraDirectives()) {
            lines.add("#SBATCH " + d);
        }
        lines.add("# A Burst worker of cluster " + settings.clusterName() + "; exec so that Slurm's signals reach the JVM.");
        lines.add("exec " + workerCommand(workerName, settings, shape).stream()
                .map(SlurmJobScript::shellQuote).collect(Collectors.joining(" ")));
        return new SlurmJobScript(workerName, script, log, String.join("\n", lines) + "\n");
    }

    /** The worker's heap in MB, as for local workers ({@link WorkerJvm#heapMb}). */
    public static long heapMb(long memoryBytes) {
        return WorkerJvm.heapMb(memoryBytes);
    }

    /** What the job asks Slurm for, in MB: the heap and a quarter more, at least 256 MB more. */
    public static long jobMemoryMb(long memoryBytes) {
        long heap = heapMb(memoryBytes);
        return heap + Math.max(256, heap / 4);
    }

    /** The worker's command line (program first), as every backend's ({@link WorkerLaunch}). */
    static List<String> workerCommand(String workerName, SlurmSettings settings, WorkerShape shape) {
        return new WorkerLaunch(settings.scheduler().toString(), settings.tokenFile(), settings.keyStoreDir(),
                settings.classpath(), shape).command(settings.javaCommand(), settings.javaOptions(), workerName, null);
    }

    /** {@code s} as one bash word: single-quoted, with its own single quotes spelled {@code '\''}. */
    static String shellQuote(String s) {
        if (s.matches("[A-Za-z0-9_./:=,+@%-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
