package dev.burst.internal.slurm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code sbatch}, {@code squeue} and {@code scancel} and reads their answers. Each failure
 * becomes a {@link SlurmCommandException} that says whether Slurm could not be reached (the
 * command is missing, the controller does not answer, munge fails) or refused the request (a bad
 * partition or account), with the command's own message.
 */
final class SlurmCommands {
    /** How long one command may take: a controller that is busy answers in seconds, not minutes. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Words in a Slurm command's error output that mean the controller could not be reached (not
     * that it refused): Slurm's client library prints these for connection, DNS and munge failures.
     */
    private static final List<String> UNREACHABLE_SIGNS = List.of(
            "unable to contact slurm controller", "slurm_load_", "socket timed out", "connection refused",
            "zero bytes were transmitted", "communication connection failure", "unable to establish",
            "could not establish a configuration source", "munge", "authentication failure",
            "unable to resolve", "slurm.conf");

    /** One job as squeue reports it. */
    record JobStatus(String jobId, SlurmJobState state, String reason) {
    }

    /** Why a command failed. */
    enum Failure {
        /** The command is missing, hung, or could not talk to the controller. */
        UNREACHABLE,
        /** The controller answered no (sbatch: bad partition, account, limits). */
        REFUSED
    }

    /** A Slurm command that failed; the message names the command and carries its output. */
    static final class SlurmCommandException extends Exception {
        private final Failure failure;

        SlurmCommandException(Failure failure, String message) {
            super(message);
            this.failure = failure;
        }

        Failure failure() {
            return failure;
        }
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private final SlurmSettings settings;

    SlurmCommands(SlurmSettings settings) {
        this.settings = settings;
    }

    /** Submits the script; returns the job id. */
    String submit(Path script) throws SlurmCommandException {
        Result r = run(List.of(settings.sbatch(), "--parsable", script.toString()));
        if (r.exitCode() != 0) {
            String message = r.stderr().isBlank() ? r.stdout().strip() : r.stderr().strip();
            throw new SlurmCommandException(classify(message), message.isEmpty() ? "sbatch exited with code " + r.exitCode() : message);
        }
        try {
            return parseJobId(r.stdout());
        } catch (IllegalArgumentException e) {
            throw new SlurmCommandException(Failure.REFUSED, e.getMessage());
        }
    }

    /**
     * The jobs among {@code ids} that Slurm still knows (queued, running, or ended within its
     * {@code MinJobAge}); a job missing from the answer is gone.
     */
    Map<String, JobStatus> query(Collection<String> ids) throws SlurmCommandException {
        List<String> cmd = new ArrayList<>(List.of(settings.squeue(), "-h", "-t", "all", "-o", "%i|%T|%r", "-j", String.join(",", ids)));
        String user = System.getProperty("user.name");
        if (user != null && !user.isBlank() && !user.equals("?")) {
            cmd.addAll(List.of("-u", user));
        }
        Result r = run(cmd);
        Map<String, JobStatus> out = new LinkedHashMap<>();
        if (r.exitCode() != 0) {
            // a single id Slurm has forgotten is an error to squeue, not an empty answer
            if (r.stderr().contains("Invalid job id")) {
                return out;
            }
            throw new SlurmCommandException(classify(r.stderr()), "squeue exited with code " + r.exitCode() + ": " + r.stderr().strip());
        }
        for (String line : r.stdout().split("\n")) {
            String[] parts = line.strip().split("\\|", -1);
            if (parts.length >= 2 && !parts[0].isEmpty()) {
                out.put(parts[0], new JobStatus(parts[0], SlurmJobState.parse(parts[1]), parts.length > 2 ? parts[2] : ""));
            }
        }
        return out;
    }

    /** Cancels the jobs (one command for all); jobs that already ended are not an error. */
    void cancel(Collection<String> ids) throws SlurmCommandException {
        if (ids.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of(settings.scancel()));
        cmd.addAll(ids);
        Result r = run(cmd);
        // scancel exits non-zero when some job already completed ("Job/step already completing or completed")
        if (r.exitCode() != 0 && !r.stderr().toLowerCase(Locale.ROOT).contains("already") && !r.stderr().contains("Invalid job id")) {
            throw new SlurmCommandException(classify(r.stderr()), "scancel exited with code " + r.exitCode() + ": " + r.stderr().strip());
        }
    }

    /** The job id from {@code sbatch --parsable}: {@code 123} or {@code 123;cluster}. */
    static String parseJobId(String output) {
        String line = output.strip();
        int nl = line.lastIndexOf('\n');
        if (nl >= 0) {
            line = line.substring(nl + 1).strip(); // sbatch may print warnings before the id
        }
        int semicolon = line.indexOf(';');
        String id = semicolon >= 0 ? line.substring(0, semicolon) : line;
        if (!id.matches("\\d+")) {
            throw new IllegalArgumentException("sbatch --parsable printed '" + output.strip() + "', not a job id");
        }
        return id;
    }

    static Failure classify(String errorOutput) {
        String lower = errorOutput.toLowerCase(Locale.ROOT);
        for (String sign : UNREACHABLE_SIGNS) {
            if (lower.contains(sign)) {
                return Failure.UNREACHABLE;
            }
        }
        return Failure.REFUSED;
    }

    private Result run(List<String> cmd) throws SlurmCommandException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new SlurmCommandException(Failure.UNREACHABLE, "cannot run '" + cmd.getFirst() + "' (" + e.getMessage()
                    + "); is Slurm installed on this machine and on PATH?");
        }
        try {
            p.getOutputStream().close(); // the commands read nothing from us
        } catch (IOException e) {
            // it has exited already; its answer says why
        }
        CompletableFuture<String> out = readAsync(p.getInputStream());
        CompletableFuture<String> err = readAsync(p.getErrorStream());
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SlurmCommandException(Failure.UNREACHABLE, "'" + cmd.getFirst() + "' did not answer within "
                        + COMMAND_TIMEOUT.toSeconds() + " s (is the Slurm controller up?)");
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlurmCommandException(Failure.UNREACHABLE, "interrupted while running '" + cmd.getFirst() + "'");
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new SlurmCommandException(Failure.UNREACHABLE, "cannot read the output of '" + cmd.getFirst() + "': " + e);
        }
    }

    private static CompletableFuture<String> readAsync(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        // a reader per stream, so that a full stderr pipe cannot block the command while stdout is read
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }
}
