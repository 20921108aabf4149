package dev.burst.internal.cli;

import dev.burst.AdaptiveOptions;
import dev.burst.BurstException;
import dev.burst.Client;
import dev.burst.Cluster;
import dev.burst.ClusterUsage;
import dev.burst.CommandResult;
import dev.burst.Resources;
import dev.burst.TaskFuture;
import dev.burst.TaskOptions;
import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.spi.BackendOptions;
import dev.burst.spi.ClusterBackend;
import dev.burst.spi.ClusterBackends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code burst map}: GNU-parallel-like, each command a task on an elastic cluster.
 *
 * <p>Design note. The positional words are the command template and its inputs
 * ({@link MapArguments}, {@link CommandTemplate}); each input becomes one {@link dev.burst.Command}
 * task that holds {@code cpu=--cpus-per-task} and {@code gpu=--gpus-per-task}. The cluster starts
 * with no workers and adapts between 0 and {@code --max-workers}, so workers exist only while
 * commands are queued or running. Each task's completion is put on a queue by the future's callback;
 * this thread alone takes from the queue, decides on retries, and prints, so outputs are whole
 * blocks and never interleave, in completion order or (with {@code --keep-order}) in input order,
 * holding back what finished early. {@code --retries} is done here, by submitting a failed command
 * again: {@link TaskOptions#retries} re-runs only a task that throws, and a command that exits
 * non-zero returns its exit code as data. Closing the client and the cluster (at the end, on an
 * error, or from the shutdown hook on Ctrl-C) interrupts the running tasks, and
 * {@link dev.burst.Command} then stops each program with its descendants.
 *
 * <p>Local workers are in-process by default: the commands are OS processes of their own anyway, so
 * worker JVMs would only add about two seconds of start-up per worker; {@code --processes} isolates
 * the workers from this JVM when wanted.
 */
@Command(name = "map", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Run a command once per input, each run a task on an elastic cluster (GNU-parallel-like).",
                "Inputs come after ::: (several ::: groups give every combination) or from standard input, one per line.",
                "In the command, {} is the input, {.} without extension, {/} basename, {//} directory, {/.} basename "
                        + "without extension, {#} job number, {n} the value of the n-th ::: group. Without any of these "
                        + "the input is appended as the last argument.",
                "Each command's stdout and stderr are printed as a whole once it ends, in completion order "
                        + "(in input order with --keep-order). Failed commands are listed at the end with their exit code "
                        + "and last lines of stderr; the exit code is 0 when all succeeded, 1 when any failed, 2 for a usage error."},
        footer = {"", "Examples:",
                "  burst map --max-workers 8 -- gzip -k {} ::: data/*.csv",
                "  find data -name '*.csv' | burst map -- python3 process.py {}",
                "  burst map --gpus-per-task 1 -- ./train.sh {} ::: configs/*.yaml",
                "  burst map --cluster slurm --partition debug --max-workers 50 -- ./simulate {} ::: $(seq 1000)"})
final class MapCommand implements Callable<Integer> {
    /** Failed commands listed one by one in the report; the rest are counted. */
    private static final int FAILURES_LISTED = 10;
    /** Worker starts that may fail in a row (with the controller's back-off between them) before the run gives up. */
    static final int STARTS_BEFORE_GIVING_UP = 3;
    /** The cluster of the run in progress, for its start problems. */
    private volatile MapCluster runningCluster;
    /** Lines of stderr shown per failed command. */
    private static final int STDERR_TAIL_LINES = 5;
    /** Tests give standard input here instead of replacing System.in (see {@link #runWithStdin}). */
    private static final ThreadLocal<InputStream> INJECTED_STDIN = new ThreadLocal<>();

    @Spec
    CommandSpec spec;

    @Option(names = "--cluster", paramLabel = "BACKEND",
            description = "Where commands run: local (this machine, the default), slurm (batch jobs), or any backend on "
                    + "the class path; an unknown name lists the known ones.")
    String cluster = "local";

    @Option(names = "--option", paramLabel = "KEY=VALUE",
            description = "A setting of the backend (repeatable), e.g. --option partition=debug; an unknown key lists the backend's settings.")
    java.util.Map<String, String> backendOptions = new java.util.LinkedHashMap<>();

    @Option(names = "--gateway", paramLabel = "URL",
            description = "Run on a new cluster of yours on this Burst gateway (https://host:port), stopped at the end; "
                    + "the token from --token-file or BURST_GATEWAY_TOKEN.")
    String gateway;

    @Option(names = "--token-file", paramLabel = "FILE", description = "With --gateway: the file holding your API token.")
    Path tokenFile;

    @Option(names = "--max-workers", paramLabel = "N",
            description = "Most workers at once (default: local: cores / cpus-per-task; slurm: 10). Workers start "
                    + "when commands are queued and stop when idle.")
    Integer maxWorkers;

    @Option(names = "--cpus-per-task", paramLabel = "N", description = "Cores each command holds (default: ${DEFAULT-VALUE}).")
    int cpusPerTask = 1;

    @Option(names = "--gpus-per-task", paramLabel = "N",
            description = "GPUs each command holds, given to it as CUDA_VISIBLE_DEVICES (default: ${DEFAULT-VALUE}).")
    int gpusPerTask;

    @Option(names = "--gpus", paramLabel = "N|LIST",
            description = "GPUs this machine offers (local): a count, or device indices like 0,1 (default: detected "
                    + "with nvidia-smi when --gpus-per-task > 0).")
    String gpus;

    @Option(names = {"-k", "--keep-order"}, description = "Print outputs in input order instead of as commands finish.")
    boolean keepOrder;

    @Option(names = "--retries", paramLabel = "N",
            description = "Run a failed command (non-zero exit) up to N more times (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--no-progress", description = "Do not draw the progress bar (it is drawn only when stderr is a terminal).")
    boolean noProgress;

    @Option(names = "--processes",
            description = "Local: run each worker in a JVM of its own. By default workers are threads of this JVM: the "
                    + "commands are processes of their own anyway, and worker JVMs take about 2 s each to start.")
    boolean processes;

    @Option(names = "--partition", paramLabel = "NAME", description = "Slurm partition.")
    String partition;

    @Option(names = "--account", paramLabel = "NAME", description = "Slurm account to charge.")
    String account;

    @Option(names = "--walltime", paramLabel = "HH:MM:SS", description = "Slurm: wall time of each worker job (default: 01:00:00).")
    String walltime;

    @Option(names = "--memory-per-worker", paramLabel = "SIZE", description = "Slurm: memory of each worker, like 2g (default: 2g).")
    String memoryPerWorker = "2g";

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The command template, then ::: and inputs. Put -- before the command when it has options.")
    List<String> words = new ArrayList<>();

    /** Runs {@code burst map args} with {@code stdin} as its standard input (for tests). */
    static int runWithStdin(InputStream stdin, String... args) {
        INJECTED_STDIN.set(stdin);
        try {
            return BurstCli.run(args);
        } finally {
            INJECTED_STDIN.remove();
        }
    }

    /** A command that ended, after its last attempt. */
    private record JobOutcome(JobInput input, List<String> argv, CommandResult result, String error, String stderrTail, int attempts) {
        boolean failed() {
            return result == null || !result.succeeded();
        }

        /** One line: why it failed. */
        String reason() {
            if (result == null) {
                return "could not run: " + error;
            }
            String firstLine = result.stderr().lines().findFirst().orElse("");
            if (result.exitCode() == 127 && firstLine.startsWith("command not found")) {
                return "exit 127, " + firstLine;
            }
            if (result.exitCode() == 126 && firstLine.startsWith("permission denied")) {
                return "exit 126, " + firstLine + " (not executable)";
            }
            return "exit " + result.exitCode();
        }
    }

    /** One submitted attempt of job {@code index}, put on the completion queue when it ends. */
    private record Attempt(int index, int attempt, TaskFuture<CommandResult> future) {
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        MapArguments arguments;
        try {
            arguments = MapArguments.parse(words);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        List<JobInput> inputs = readInputs(arguments);
        try {
            arguments.template().checkGroupReferences(Math.max(1, arguments.groups().size()));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (gateway != null) {
            return runOnGateway(arguments, inputs);
        }
        ClusterBackend backend;
        try {
            backend = ClusterBackends.require(cluster);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--cluster " + e.getMessage());
        }
        boolean local = backend.name().equals("local");
        if (!local && gpus != null) {
            throw new ParameterException(spec.commandLine(), "--gpus is for --cluster local; " + backend.name()
                    + " workers get the GPUs of their machines");
        }
        int machineGpus = local ? localGpus() : 0;
        int workersAtMost = maxWorkers != null ? maxWorkers
                : local ? Math.max(1, Runtime.getRuntime().availableProcessors() / cpusPerTask) : 10;

        long t0 = System.nanoTime();
        return run(new MapCluster.OfBackend(startCluster(backend, workersAtMost, machineGpus)), arguments, inputs, t0);
    }

    /** {@code --gateway}: the same map on a new cluster of the caller's on a gateway, adaptive up to --max-workers. */
    private int runOnGateway(MapArguments arguments, List<JobInput> inputs) throws InterruptedException {
        if (!cluster.equals("local") || !backendOptions.isEmpty() || processes || gpus != null || partition != null
                || account != null || walltime != null) {
            throw new ParameterException(spec.commandLine(), "--gateway runs on the gateway's backend: drop --cluster, --option, "
                    + "--processes, --gpus, --partition, --account and --walltime");
        }
        long t0 = System.nanoTime();
        Gateway.Builder b = Gateway.builder(gateway);
        if (tokenFile != null) {
            b.tokenFile(tokenFile);
        }
        Gateway gw;
        try {
            gw = b.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--gateway: " + e.getMessage());
        }
        GatewayCluster gc;
        try {
            gc = gw.newCluster(ClusterOptions.builder().adapt(0, maxWorkers != null ? maxWorkers : 10).threads(cpusPerTask)
                    .memory(memoryPerWorker).gpus(gpusPerTask).build());
        } catch (RuntimeException e) {
            gw.close();
            throw e;
        }
        System.err.println("burst map: running on cluster " + gc.name() + " of gateway " + gateway);
        if (gc.lastMessage() != null) {
            System.err.println("burst map: " + gc.lastMessage() + (maxWorkers == null ? " (--max-workers N asks for fewer)" : ""));
        }
        try {
            gc.dashboard().ifPresent(d -> System.err.println("burst map: dashboard at " + d + " (sign in to the gateway)"));
        } catch (RuntimeException e) { // a link is a convenience: the map goes on without it
            System.err.println("burst map: no dashboard link: " + e.getMessage());
        }
        return run(new MapCluster.OnGateway(gw, gc), arguments, inputs, t0);
    }

    private int run(MapCluster c, MapArguments arguments, List<JobInput> inputs, long t0) throws InterruptedException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ClusterCloser closer = new ClusterCloser(c);
        // Ctrl-C: stop the commands, not only this JVM, then give this thread (bounded) time to print the
        // report: the JVM exits as soon as its hooks return.
        java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            closer.closeOnSignal();
            try {
                reported.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runAndReport(c, closer, hook, arguments, inputs, out, err, t0);
        } finally {
            reported.countDown();
        }
    }

    private int runAndReport(MapCluster c, ClusterCloser closer, Thread hook, MapArguments arguments, List<JobInput> inputs,
                             PrintStream out, PrintStream err, long t0) throws InterruptedException {
        List<JobOutcome> outcomes;
        int retried;
        ClusterUsage usage;
        try (ProgressConsole console = new ProgressConsole(out, err, inputs.size(), !noProgress && isTerminal(2))) {
            closer.client = c.connect();
            runningCluster = c;
            c.inThisJvm().flatMap(dev.burst.Cluster::dashboardUrl).ifPresent(u -> err.println("burst map: dashboard at " + u));
            int[] retriedCount = new int[1];
            try (StatusPoller ignored = console.showsBar() && c.inThisJvm().isPresent()
                    ? new StatusPoller(c.inThisJvm().get(), console::status) : null) {
                outcomes = runAll(closer.client, arguments.template(), inputs, console, retriedCount);
            }
            retried = retriedCount[0];
        } finally {
            closer.closeClient();
            usage = c.finish();
            closer.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway and finds the cluster closed
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        if (closer.bySignal) {
            long unfinished = outcomes.stream().filter(o -> o.result() == null).count();
            err.printf("%nburst map: stopped by a signal; %d command%s had not finished%n", unfinished, unfinished == 1 ? "" : "s");
        }
        report(err, outcomes, retried, wall, usage);
        return outcomes.stream().anyMatch(JobOutcome::failed) ? 1 : 0;
    }

    private void checkOptions() {
        if (maxWorkers != null && maxWorkers < 1) {
            throw new ParameterException(spec.commandLine(), "--max-workers must be >= 1, got " + maxWorkers);
        }
        if (cpusPerTask < 1) {
            throw new ParameterException(spec.commandLine(), "--cpus-per-task must be >= 1, got " + cpusPerTask);
        }
        if (gpusPerTask < 0) {
            throw new ParameterException(spec.commandLine(), "--gpus-per-task must be >= 0, got " + gpusPerTask);
        }
        if (retries < 0) {
            throw new ParameterException(spec.commandLine(), "--retries must be >= 0, got " + retries);
        }
    }

    private List<JobInput> readInputs(MapArguments arguments) throws IOException {
        List<JobInput> inputs;
        if (arguments.inputsOnCommandLine()) {
            inputs = arguments.commandLineInputs();
        } else {
            InputStream injected = INJECTED_STDIN.get();
            if (injected == null && isTerminal(0)) {
                throw new ParameterException(spec.commandLine(), "no inputs: give them after ::: or on standard input "
                        + "(standard input is a terminal)");
            }
            inputs = MapArguments.linesOf(injected != null ? injected : System.in);
        }
        if (inputs.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no inputs: give them after ::: or on standard input"
                    + (arguments.inputsOnCommandLine() ? " (a ::: group is empty; did a glob match nothing?)" : ""));
        }
        return inputs;
    }

    /**
     * Submits every command, waits for each, resubmits failures up to {@code --retries} times, and
     * prints each final output block. Returns the outcomes in input order.
     */
    private List<JobOutcome> runAll(Client client, CommandTemplate template, List<JobInput> inputs,
                                    ProgressConsole console, int[] retriedCount) throws InterruptedException {
        Resources held = Resources.of("cpu", cpusPerTask);
        TaskOptions options = TaskOptions.builder()
                .resources(gpusPerTask > 0 ? held.and("gpu", gpusPerTask) : held)
                .name(taskName(template))
                .build();
        List<dev.burst.Command> commands = new ArrayList<>(inputs.size());
        List<List<String>> argvs = new ArrayList<>(inputs.size());
        for (JobInput input : inputs) {
            List<String> argv = template.expand(input);
            argvs.add(argv);
            try {
                commands.add(dev.burst.Command.builder(argv).build());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "input " + input.number() + " ('" + input.display() + "'): " + e.getMessage());
            }
        }
        BlockingQueue<Attempt> ended = new LinkedBlockingQueue<>();
        for (int i = 0; i < commands.size(); i++) {
            submit(client, commands.get(i), options, i, 1, ended);
        }
        JobOutcome[] outcomes = new JobOutcome[inputs.size()];
        int nextToPrint = 0; // --keep-order: the first job not printed yet
        int finished = 0;
        int failed = 0;
        while (finished < inputs.size()) {
            Attempt a = ended.poll(1, TimeUnit.SECONDS);
            if (a == null) {
                // Nothing finished for a second: if no worker can start at all, say why and stop
                // instead of waiting forever (the controller backs off between attempts).
                java.util.Optional<String> problem = runningCluster == null ? java.util.Optional.empty()
                        : runningCluster.startProblem(STARTS_BEFORE_GIVING_UP);
                if (problem.isPresent()) {
                    throw new BurstException("no worker could start (" + STARTS_BEFORE_GIVING_UP
                            + " attempts in a row failed); the last: " + problem.get());
                }
                continue;
            }
            CommandResult result = null;
            String error = null;
            try {
                result = a.future().get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            } catch (CancellationException e) {
                error = "cancelled";
            }
            boolean ok = result != null && result.succeeded();
            if (!ok && a.attempt() <= retries) {
                retriedCount[0]++;
                console.note("burst map: retrying input '" + inputs.get(a.index()).display() + "' (attempt " + (a.attempt() + 1)
                        + " of " + (retries + 1) + ") after " + (result != null ? "exit " + result.exitCode() : error));
                deleteSpills(result);
                submit(client, commands.get(a.index()), options, a.index(), a.attempt() + 1, ended);
                continue;
            }
            String tail = result == null ? "" : result.stderrTail(STDERR_TAIL_LINES);
            outcomes[a.index()] = new JobOutcome(inputs.get(a.index()), argvs.get(a.index()), result, error, tail, a.attempt());
            finished++;
            if (!ok) {
                failed++;
            }
            if (keepOrder) {
                while (nextToPrint < outcomes.length && outcomes[nextToPrint] != null) {
                    print(console, outcomes[nextToPrint++]);
                }
            } else {
                print(console, outcomes[a.index()]);
            }
            console.step(failed);
        }
        return List.of(outcomes);
    }

    private static void submit(Client client, dev.burst.Command command, TaskOptions options, int index, int attempt,
                               BlockingQueue<Attempt> ended) {
        TaskFuture<CommandResult> f = client.submit(command, options);
        Attempt a = new Attempt(index, attempt, f);
        f.toCompletableFuture().whenComplete((r, e) -> ended.add(a));
    }

    private static void print(ProgressConsole console, JobOutcome o) {
        if (o.result() != null) {
            console.printBlock(o.result().stdout(), o.result().stdoutSpill(), o.result().stderr(), o.result().stderrSpill());
            deleteSpills(o.result());
        }
    }

    /** Spill files are on this machine only for a local cluster; elsewhere there is nothing to delete here. */
    private static void deleteSpills(CommandResult r) {
        if (r == null) {
            return;
        }
        for (Path p : new Path[] {r.stdoutSpill(), r.stderrSpill()}) {
            if (p != null) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left in the per-user temp directory; harmless
                }
            }
        }
    }

    /** The summary on stderr: counts, each failed command (up to 10) with its stderr tail, then usage. */
    private void report(PrintStream err, List<JobOutcome> outcomes, int retried, double wall, ClusterUsage usage) {
        List<JobOutcome> failures = outcomes.stream().filter(JobOutcome::failed).toList();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nburst map: %d command%s in %.2f s: %d succeeded, %d failed%s%n",
                outcomes.size(), outcomes.size() == 1 ? "" : "s", wall, outcomes.size() - failures.size(), failures.size(),
                retried == 0 ? "" : " (" + retried + " retr" + (retried == 1 ? "y" : "ies") + ")"));
        for (JobOutcome f : failures.subList(0, Math.min(FAILURES_LISTED, failures.size()))) {
            sb.append("  FAILED input '").append(f.input().display()).append("': ").append(f.reason())
                    .append(f.attempts() > 1 ? " (after " + f.attempts() + " attempts)" : "").append('\n');
            sb.append("    command: ").append(String.join(" ", f.argv())).append('\n');
            if (!f.stderrTail().isEmpty()) {
                sb.append("    stderr (last lines):\n");
                f.stderrTail().lines().forEach(l -> sb.append("      | ").append(l).append('\n'));
            }
        }
        if (failures.size() > FAILURES_LISTED) {
            sb.append("  ... and ").append(failures.size() - FAILURES_LISTED).append(" more failed\n");
        }
        if (!failures.isEmpty() && failures.stream().allMatch(f -> f.result() != null && f.result().exitCode() == 127)) {
            sb.append("  every failure is exit 127: the program was not found on the workers; check its name and PATH\n");
        }
        sb.append(String.format(Locale.ROOT, "cluster usage: %.1f core-s allocated, %.1f core-s busy, efficiency %.2f (%d tasks)%n",
                usage.allocatedCoreSeconds(), usage.busyCoreSeconds(), usage.efficiency(), usage.tasks()));
        err.print(sb);
        err.flush();
    }

    /** The task name (key prefix, which groups learned durations): the program's file name. */
    private static String taskName(CommandTemplate template) {
        String program = CommandTemplate.basename(template.words().get(0)).replaceAll("[^A-Za-z0-9._-]", "_");
        return program.isEmpty() ? "command" : program.length() > 40 ? program.substring(0, 40) : program;
    }

    // ---------------------------------------------------------------- clusters

    /**
     * A cluster of {@code backend} that starts empty and adapts to the queue, one worker of
     * {@code cpus-per-task} threads per command up to {@code workersAtMost}. Locally with GPUs: one
     * worker offering all of them, with threads for as many commands as the GPUs allow (each worker
     * numbers its devices from 0, so two workers sharing a machine would hand out the same device).
     * Elsewhere a worker holds {@code gpus-per-task} GPUs (one command per worker job).
     */
    private Cluster startCluster(ClusterBackend backend, int workersAtMost, int machineGpus) {
        boolean local = backend.name().equals("local");
        boolean localGpus = local && gpusPerTask > 0;
        int concurrent = localGpus ? Math.min(workersAtMost, machineGpus / gpusPerTask) : 1;
        BackendOptions.Builder options = BackendOptions.builder().jobName("map")
                .threadsPerWorker(concurrent * cpusPerTask)
                .gpusPerWorker(localGpus ? machineGpus : gpusPerTask);
        try {
            options.memoryPerWorker(memoryPerWorker);
            // The named options are the common backends' settings; --option gives any.
            String[][] named = {{"partition", partition}, {"account", account}, {"walltime", walltime},
                    {"processes", processes ? "true" : null}};
            for (String[] n : named) {
                if (n[1] != null) {
                    options.setting(n[0], n[1]);
                }
            }
            backendOptions.forEach(options::setting);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Cluster c;
        try {
            c = ClusterBackends.create(backend.name(), options.build());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            c.adapt(local ? asManyAsQueued(localGpus ? 1 : workersAtMost) : AdaptiveOptions.between(0, workersAtMost));
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * A worker thread per queued command, up to {@code maximum} workers, as GNU parallel runs -j jobs
     * at once: the default target (queued work done in about 5 s) would run a handful of short
     * commands one after another on one worker. Local workers cost next to nothing to start and are
     * retired within a second of being idle, so asking for many costs no idle core-seconds.
     */
    private static AdaptiveOptions asManyAsQueued(int maximum) {
        return AdaptiveOptions.builder().minimum(0).maximum(maximum).targetDuration(Duration.ofMillis(1)).build();
    }

    /**
     * GPUs this machine offers: {@code --gpus}, else nvidia-smi's count when a command needs GPUs.
     * Fails fast when commands need more GPUs than there are: they would wait forever.
     */
    private int localGpus() {
        int count;
        if (gpus != null) {
            count = parseGpus(gpus);
        } else if (gpusPerTask > 0) {
            count = detectGpus();
        } else {
            return 0;
        }
        if (gpusPerTask > count) {
            throw new ParameterException(spec.commandLine(), "--gpus-per-task " + gpusPerTask + " needs " + gpusPerTask + " GPU"
                    + (gpusPerTask == 1 ? "" : "s") + ", but this machine offers " + count
                    + (gpus != null ? " (--gpus " + gpus + ")" : " (nvidia-smi found " + count + "; give --gpus N if that is wrong)")
                    + ": the commands would wait forever");
        }
        return count;
    }

    private int parseGpus(String value) {
        String v = value.strip();
        try {
            if (!v.contains(",") && v.length() < 4) {
                int n = Integer.parseInt(v);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                // A single number is a count; "--gpus 1" meaning "device 1 only" is ambiguous, and a count is what GNU-style users give.
                return n;
            }
            List<Integer> devices = new ArrayList<>();
            for (String part : v.split(",")) {
                devices.add(Integer.parseInt(part.strip()));
            }
            for (int i = 0; i < devices.size(); i++) {
                if (devices.get(i) != i) {
                    throw new ParameterException(spec.commandLine(), "--gpus " + value + ": only devices 0.." + (devices.size() - 1)
                            + " can be given for now (workers number their devices from 0); give a count, or set "
                            + "CUDA_VISIBLE_DEVICES before running burst");
                }
            }
            return devices.size();
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--gpus must be a count like 2 or device indices like 0,1; got '" + value + "'");
        }
    }

    /** Devices this process may use: CUDA_VISIBLE_DEVICES when it lists indices, else nvidia-smi's; 0 when none. */
    private static int detectGpus() {
        return dev.burst.internal.resources.GpuDetection.detect().size();
    }

    /**
     * True when file descriptor {@code fd} of this process is a terminal. Linux: where /proc says it
     * points; elsewhere false (standard input is then read, as GNU parallel does).
     */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /**
     * Closes the client and the cluster exactly once, from whichever thread comes first: the command
     * at its end or the shutdown hook on Ctrl-C. Synchronized so that the hook waits until a close in
     * progress has stopped the commands before the JVM exits.
     */
    private static final class ClusterCloser {
        private final MapCluster cluster;
        volatile Client client;
        private boolean closed;

        ClusterCloser(MapCluster cluster) {
            this.cluster = cluster;
        }

        synchronized void closeClient() {
            if (client != null) {
                client.close();
            }
        }

        /** Closed by the shutdown hook (Ctrl-C, SIGTERM) rather than at the end of the run. */
        volatile boolean bySignal;

        synchronized void closeOnSignal() {
            if (!closed) {
                bySignal = true;
            }
            close();
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                closeClient();
            } finally {
                cluster.close();
            }
        }
    }
}
