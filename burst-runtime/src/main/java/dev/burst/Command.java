package dev.burst;

import dev.burst.internal.task.BoundedOutput;
import dev.burst.internal.task.ExecutorThreadContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A program to run as a task: its argv, environment, working directory and stdin. A Command is a
 * {@link TaskCallable} returning a {@link CommandResult}, so it is submitted like any task, and runs
 * on whichever worker the scheduler picks:
 *
 * <pre>{@code
 * TaskFuture<CommandResult> r = client.submit(Command.of("ffmpeg", "-i", "in.mp4", "out.webm"));
 * Command train = Command.builder("python", "train.py").env("EPOCHS", "10").directory("/data/run1").build();
 * client.submit(train, TaskOptions.builder().resources(Resources.of("gpu", 1)).build());
 * }</pre>
 *
 * <p>Running it: the program starts with the worker's environment plus {@link Builder#env}; stdout
 * and stderr are read concurrently (a program writing lots of output never blocks); the first
 * {@code maxOutputBytes} of each are kept in the result, and a longer stream is written whole to a
 * spill file in the output directory on the worker ({@link CommandResult#stdoutSpill()}). The task
 * ends when the program exits, with its exit code as data: a non-zero exit does not fail the task
 * (check {@link CommandResult#succeeded()}). A program that is not found gives exit code 127 and
 * {@code command not found: NAME} on stderr, one that cannot be executed 126, as in a shell. When
 * the task is cancelled or its worker closes, the program and all its descendants are stopped
 * (SIGTERM, then SIGKILL after a second), so nothing is left running.
 *
 * <p>GPUs: a task holding {@code gpu=k} on a worker with GPU devices gets its devices as
 * {@code CUDA_VISIBLE_DEVICES=i,j}. On such a worker a task that holds no GPU gets
 * {@code CUDA_VISIBLE_DEVICES} set to the empty string, so that it cannot grab a device another
 * task holds; this overrides a value given with {@link Builder#env} (ask for {@code gpu} to get a
 * device). On a worker without GPU devices, or when called outside a worker, the environment is
 * left as it is.
 *
 * <p>Immutable and serializable; build one with {@link #of} or {@link #builder}.
 */
public final class Command implements TaskCallable<CommandResult> {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The environment variable that tells CUDA programs which devices they may use. */
    public static final String CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";
    /** Bytes of each of stdout and stderr kept in memory unless set otherwise: 1 MiB. */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 1 << 20;
    /** The largest {@code maxOutputBytes}: the kept output travels back to the client. */
    public static final int MAX_OUTPUT_BYTES_LIMIT = 256 << 20;

    private final List<String> argv;
    private final Map<String, String> env;
    /** Paths as strings: they are resolved on the worker, and strings travel to any worker. */
    private final String directory;
    private final byte[] stdin;
    private final int maxOutputBytes;
    private final String outputDirectory;

    private Command(Builder b) {
        this.argv = List.copyOf(b.argv);
        this.env = b.env.isEmpty() ? Map.of() : new LinkedHashMap<>(b.env);
        this.directory = b.directory;
        this.stdin = b.stdin;
        this.maxOutputBytes = b.maxOutputBytes;
        this.outputDirectory = b.outputDirectory;
    }

    /** A program with its arguments, run with the defaults (no stdin, 1 MiB of output kept per stream). */
    public static Command of(String... argv) {
        return builder(argv).build();
    }

    public static Builder builder(String... argv) {
        Objects.requireNonNull(argv, "argv must not be null");
        return builder(Arrays.asList(argv));
    }

    public static Builder builder(List<String> argv) {
        return new Builder(argv);
    }

    public List<String> argv() {
        return argv;
    }

    /** The variables set on top of the worker's environment. */
    public Map<String, String> env() {
        return java.util.Collections.unmodifiableMap(env);
    }

    /** The working directory; empty: the worker's. */
    public java.util.Optional<Path> directory() {
        return java.util.Optional.ofNullable(directory).map(Path::of);
    }

    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    /**
     * Where output beyond the bound is spilled, on the worker that runs the command. Without an
     * explicit directory: {@code ${java.io.tmpdir}/burst-output-${user.name}} of the worker JVM.
     */
    public Path outputDirectory() {
        return outputDirectory != null ? Path.of(outputDirectory)
                : Path.of(System.getProperty("java.io.tmpdir"), "burst-output-" + System.getProperty("user.name", "user"));
    }

    /**
     * Runs the program here and waits for it to exit.
     *
     * @throws InterruptedException when interrupted (the task was cancelled); the program and its
     *                              descendants have been stopped
     * @throws IOException          when the working directory does not exist, the program could not
     *                              be started for another reason than being missing or not
     *                              executable, or output could not be spilled
     */
    @Override
    public CommandResult call() throws IOException, InterruptedException {
        ExecutorThreadContext context = ExecutorThreadContext.current();
        List<Integer> gpus = context == null ? List.of() : context.gpus();
        String worker = context == null ? "" : context.workerName();
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(env);
        if (context != null && !context.workerGpus().isEmpty()) {
            pb.environment().put(CUDA_VISIBLE_DEVICES, gpus.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        if (directory != null) {
            Path d = Path.of(directory);
            if (!Files.isDirectory(d)) {
                throw new NoSuchFileException(directory, null, "the working directory of command " + argv.get(0) + " is not a directory");
            }
            pb.directory(d.toFile());
        }
        String spillName = spillPrefix() + "-" + UUID.randomUUID().toString().substring(0, 8);
        BoundedOutput out = new BoundedOutput(maxOutputBytes, outputDirectory().resolve(spillName + ".stdout"));
        BoundedOutput err = new BoundedOutput(maxOutputBytes, outputDirectory().resolve(spillName + ".stderr"));
        long t0 = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            int code = notStartedExitCode(e);
            if (code == 0) {
                throw e;
            }
            String why = (code == 127 ? "command not found: " : "permission denied: ") + argv.get(0) + "\n";
            return new CommandResult(argv, code, "", why, 0, why.getBytes(StandardCharsets.UTF_8).length, null, null, System.nanoTime() - t0, gpus, worker);
        }
        IOException[] readErrors = new IOException[2];
        Thread outReader = reader(process.getInputStream(), out, readErrors, 0, "stdout");
        Thread errReader = reader(process.getErrorStream(), err, readErrors, 1, "stderr");
        feedStdin(process);
        int exitCode;
        try {
            exitCode = process.waitFor();
            outReader.join();
            errReader.join();
        } catch (InterruptedException e) {
            stopTree(process);
            throw e;
        }
        long duration = System.nanoTime() - t0;
        for (BoundedOutput o : List.of(out, err)) {
            if (o.spillError() != null) {
                throw new IOException("command " + argv.get(0) + " exited with " + exitCode + " but its output could not be spilled to "
                        + outputDirectory() + ": " + o.spillError().getMessage(), o.spillError());
            }
        }
        for (IOException e : readErrors) {
            if (e != null) {
                throw new IOException("reading the output of command " + argv.get(0) + " failed: " + e.getMessage(), e);
            }
        }
        return new CommandResult(argv, exitCode, new String(out.head(), StandardCharsets.UTF_8),
                new String(err.head(), StandardCharsets.UTF_8), out.totalBytes(), err.totalBytes(),
                out.spillFile(), err.spillFile(), duration, gpus, worker);
    }

    private static Thread reader(InputStream in, BoundedOutput sink, IOException[] errors, int index, String name) {
        return Thread.ofPlatform().daemon().name("burst-command-" + name).start(() -> {
            try {
                sink.drain(in);
            } catch (IOException e) {
                errors[index] = e;
            }
        });
    }

    /** On its own thread: a program that does not read its input must not block the wait for its exit. */
    private void feedStdin(Process process) {
        OutputStream in = process.getOutputStream();
        if (stdin == null) {
            closeQuietly(in);
            return;
        }
        Thread.ofPlatform().daemon().name("burst-command-stdin").start(() -> {
            try (in) {
                in.write(stdin);
            } catch (IOException e) {
                // the program exited or closed its input without reading all of it: its business
            }
        });
    }

    private static void closeQuietly(OutputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing was written
        }
    }

    /**
     * Stops the program and its descendants: SIGTERM first so they can clean up, SIGKILL for what is
     * left after a second. Descendants are listed before the parent dies (orphans are no longer its
     * descendants).
     */
    static void stopTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor(1, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // hurry: kill now
        }
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** 127 when the program was not found, 126 when it is not executable, 0 for any other failure. */
    private static int notStartedExitCode(IOException e) {
        String m = String.valueOf(e.getMessage()) + (e.getCause() != null ? " " + e.getCause().getMessage() : "");
        if (m.contains("error=2,") || m.contains("No such file or directory")) {
            return 127;
        }
        if (m.contains("error=13,") || m.contains("Permission denied")) {
            return 126;
        }
        return 0;
    }

    private String spillPrefix() {
        String base = Path.of(argv.get(0)).getFileName() == null ? "command" : Path.of(argv.get(0)).getFileName().toString();
        base = base.replaceAll("[^A-Za-z0-9._-]", "_");
        return base.length() > 40 ? base.substring(0, 40) : base;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c && c.argv.equals(argv) && c.env.equals(env) && Objects.equals(c.directory, directory)
                && Arrays.equals(c.stdin, stdin) && c.maxOutputBytes == maxOutputBytes
                && Objects.equals(c.outputDirectory, outputDirectory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(argv, env, directory, Arrays.hashCode(stdin), maxOutputBytes, outputDirectory);
    }

    @Override
    public String toString() {
        return "Command" + argv + (env.isEmpty() ? "" : " env=" + env.keySet()) + (directory == null ? "" : " in " + directory)
                + (stdin == null ? "" : " stdin=" + stdin.length + " bytes");
    }

    /** Builds a {@link Command}; every setter checks its value and names the problem. */
    public static final class Builder {
        private final List<String> argv;
        private final Map<String, String> env = new LinkedHashMap<>();
        private String directory;
        private byte[] stdin;
        private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private String outputDirectory;

        private Builder(List<String> argv) {
            Objects.requireNonNull(argv, "argv must not be null");
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("a command needs a program to run: argv is empty");
            }
            for (int i = 0; i < argv.size(); i++) {
                String a = argv.get(i);
                if (a == null) {
                    throw new IllegalArgumentException("argument " + i + " of " + argv + " is null");
                }
                if (a.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("argument " + i + " of the command contains a NUL character");
                }
            }
            if (argv.get(0).isBlank()) {
                throw new IllegalArgumentException("the program (argv[0]) must not be blank, got '" + argv.get(0) + "'");
            }
            this.argv = List.copyOf(argv);
        }

        /** Sets an environment variable on top of the worker's environment. */
        public Builder env(String name, String value) {
            Objects.requireNonNull(name, "environment variable name must not be null");
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable name must be non-empty without '=' or NUL, got '" + name + "'");
            }
            if (value == null) {
                throw new IllegalArgumentException("environment variable " + name + " has a null value");
            }
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable " + name + " contains a NUL character");
            }
            env.put(name, value);
            return this;
        }

        /** Sets each of {@code variables} as {@link #env(String, String)} does. */
        public Builder env(Map<String, String> variables) {
            Objects.requireNonNull(variables, "environment must not be null");
            variables.forEach(this::env);
            return this;
        }

        /** The working directory, on the worker that runs the command (default: the worker's). */
        public Builder directory(Path directory) {
            Objects.requireNonNull(directory, "directory must not be null");
            return directory(directory.toString());
        }

        public Builder directory(String directory) {
            Objects.requireNonNull(directory, "directory must not be null");
            if (directory.isBlank()) {
                throw new IllegalArgumentException("directory must not be blank");
            }
            this.directory = directory;
            return this;
        }

        /** Text given to the program on stdin, as UTF-8 (default: none; stdin is closed at once). */
        public Builder stdin(String text) {
            Objects.requireNonNull(text, "stdin must not be null");
            return stdin(text.getBytes(StandardCharsets.UTF_8));
        }

        public Builder stdin(byte[] bytes) {
            Objects.requireNonNull(bytes, "stdin must not be null");
            this.stdin = bytes.clone();
            return this;
        }

        /** Bytes of each of stdout and stderr kept in the result (default 1 MiB); the rest is spilled. */
        public Builder maxOutputBytes(int bytes) {
            if (bytes < 0 || bytes > MAX_OUTPUT_BYTES_LIMIT) {
                throw new IllegalArgumentException("maxOutputBytes must be between 0 and " + MAX_OUTPUT_BYTES_LIMIT + ", got " + bytes);
            }
            this.maxOutputBytes = bytes;
            return this;
        }

        /** Where output beyond the bound is spilled, on the worker (default: a per-user temp directory). */
        public Builder outputDirectory(Path directory) {
            Objects.requireNonNull(directory, "outputDirectory must not be null");
            if (directory.toString().isBlank()) {
                throw new IllegalArgumentException("outputDirectory must not be blank");
            }
            this.outputDirectory = directory.toString();
            return this;
        }

        public Command build() {
            return new Command(this);
        }
    }
}
