package dev.burst.bench;

import dev.burst.Client;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;
import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.scheduler.SchedulerState;
import dev.burst.internal.scheduler.TaskSpec;
import jdk.jfr.consumer.RecordingStream;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * P7: a million-task graph. Two measurements:
 * <ul>
 *   <li><b>heap</b>: the scheduler's heap per task, in the pure {@link SchedulerState} with no
 *   worker (so every task stays in it): the used heap after a full GC, before and after it accepts
 *   a 1,000,000-task map and a 1,000,000-task tree (pairwise sums over 500,000 leaves), with and
 *   without the task specs the client built (which the scheduler keeps);</li>
 *   <li><b>run</b>: the map and the tree run on a cluster (embedded, or 2 worker processes with
 *   {@code --processes}), 2 workers × 1 thread, every result checked; wall time, µs per task, and
 *   the longest time one item held the scheduler loop, from the {@code dev.burst.SchedulerLoopBusy}
 *   JFR events (any item over 1 ms) streamed in this JVM.</li>
 * </ul>
 * Usage: {@code MillionBench [--part heap|run|all] [--tasks N] [--processes]}.
 */
public final class MillionBench {
    private MillionBench() {
    }

    static long noop(long x) {
        return x;
    }

    static long add(long a, long b) {
        return a + b;
    }

    public static void main(String[] args) throws Exception {
        String part = "all";
        int tasks = 1_000_000;
        boolean processes = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--part" -> part = args[++i];
                case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                case "--processes" -> processes = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: MillionBench [--part heap|run|all] [--tasks N] [--processes]");
            }
        }
        if (part.equals("heap") || part.equals("all")) {
            heap(tasks, false);
            heap(tasks, true);
        }
        if (part.equals("run") || part.equals("all")) {
            run(tasks, processes);
        }
    }

    // ---------------------------------------------------------------- heap

    static void heap(int tasks, boolean tree) {
        Object payload = "a shared function"; // a map's tasks share one payload object, as a client's do
        List<TaskSpec> specs = tree ? treeSpecs(tasks / 2, payload) : mapSpecs(tasks, payload);
        List<TaskKey> wanted = tree ? List.of(specs.get(specs.size() - 1).key()) : specs.stream().map(TaskSpec::key).toList();
        long bare = usedAfterGc();
        SchedulerState state = new SchedulerState(SchedulerConfig.defaults().withStoryCapacity(1_000));
        long before = usedAfterGc();
        long stateAlone = before - bare;
        ClientId client = new ClientId("bench");
        long t0 = System.nanoTime();
        if (tree) {
            state.handle(new SchedulerEvent.GraphSubmitted(new StimulusId("submit", 1), client, specs, wanted));
        } else {
            for (int from = 0, n = 1; from < specs.size(); from += 5_000, n++) { // as a client submits a map
                List<TaskSpec> chunk = specs.subList(from, Math.min(specs.size(), from + 5_000));
                state.handle(new SchedulerEvent.GraphSubmitted(new StimulusId("submit", n), client, chunk,
                        wanted.subList(from, Math.min(specs.size(), from + 5_000))));
            }
        }
        double acceptSeconds = (System.nanoTime() - t0) / 1e9;
        long withSpecs = usedAfterGc();
        int count = specs.size();
        long specBytes = specBytes(specs, wanted);
        specs = null;
        wanted = null;
        long schedulerOnly = usedAfterGc();
        System.out.printf(Locale.ROOT, "RESULT part=heap graph=%s tasks=%d accept_s=%.3f scheduler_bytes_per_task=%.1f "
                        + "spec_bytes_per_task=%.1f total_bytes_per_task=%.1f state_tasks=%d%n",
                tree ? "tree" : "map", count, acceptSeconds, (double) (withSpecs - before - specBytes) / count,
                (double) specBytes / count, (double) (schedulerOnly - before) / count, state.taskCount());
        if (state.taskCount() != count) {
            throw new AssertionError("the scheduler holds " + state.taskCount() + " tasks, not " + count);
        }
        System.out.printf(Locale.ROOT, "  (the empty scheduler: %d bytes)%n", stateAlone);
    }

    /** Heap held by the specs and the client's lists alone, measured by dropping them from a copy. */
    private static long specBytes(List<TaskSpec> specs, List<TaskKey> wanted) {
        long with = usedAfterGc();
        List<TaskSpec> copy = new ArrayList<>(specs.size());
        for (TaskSpec s : specs) {
            copy.add(new TaskSpec(new TaskKey(s.key().prefix(), s.key().id()), s.dependencies().stream()
                    .map(k -> new TaskKey(k.prefix(), k.id())).toList(), s.resources(), s.priority(), s.retries(), s.payload()));
        }
        long withCopy = usedAfterGc();
        long bytes = withCopy - with;
        if (copy.size() != specs.size() || wanted == null) {
            throw new AssertionError();
        }
        return bytes;
    }

    static List<TaskSpec> mapSpecs(int n, Object payload) {
        List<TaskSpec> specs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            specs.add(new TaskSpec(new TaskKey("noop", i), List.of(), ResourceAmounts.NONE, TaskPriority.DEFAULT, 0, payload));
        }
        return specs;
    }

    /** Pairwise sums over {@code leaves} leaves: about 2 × leaves tasks, the root last. */
    static List<TaskSpec> treeSpecs(int leaves, Object payload) {
        List<TaskSpec> specs = new ArrayList<>(2 * leaves);
        List<TaskKey> level = new ArrayList<>(leaves);
        long id = 0;
        for (int i = 0; i < leaves; i++) {
            TaskKey k = new TaskKey("leaf", id++);
            specs.add(new TaskSpec(k, List.of(), ResourceAmounts.NONE, TaskPriority.DEFAULT, 0, payload));
            level.add(k);
        }
        while (level.size() > 1) {
            List<TaskKey> next = new ArrayList<>(level.size() / 2 + 1);
            for (int i = 0; i + 1 < level.size(); i += 2) {
                TaskKey k = new TaskKey("add", id++);
                specs.add(new TaskSpec(k, List.of(level.get(i), level.get(i + 1)), ResourceAmounts.NONE, TaskPriority.DEFAULT, 0, payload));
                next.add(k);
            }
            if (level.size() % 2 == 1) {
                next.add(level.get(level.size() - 1));
            }
            level = next;
        }
        return specs;
    }

    static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    // ---------------------------------------------------------------- run

    /** A time interval in epoch nanoseconds. */
    private record Span(long from, long to, String what) {
    }

    private static long epochNanos(java.time.Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** {@code busy} less the stop-the-world GC pauses inside it: the loop's own share. */
    private static long withoutGc(Span busy, List<Span> pauses) {
        long own = busy.to() - busy.from();
        for (Span p : pauses) {
            long overlap = Math.min(busy.to(), p.to()) - Math.max(busy.from(), p.from());
            if (overlap > 0) {
                own -= overlap;
            }
        }
        return Math.max(0, own);
    }

    static void run(int tasks, boolean processes) throws Exception {
        List<Span> busyItems = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Span> pauses = java.util.Collections.synchronizedList(new ArrayList<>());
        try (RecordingStream jfr = new RecordingStream()) {
            jfr.enable("dev.burst.SchedulerLoopBusy");
            jfr.enable("jdk.GCPhasePause");
            jfr.onEvent("dev.burst.SchedulerLoopBusy", e -> {
                long end = epochNanos(e.getStartTime()); // committed at the end of the item, with its length as a field
                busyItems.add(new Span(end - e.getLong("busy"), end, e.getString("item") + "/" + e.getInt("tasks")));
            });
            jfr.onEvent("jdk.GCPhasePause", e -> pauses.add(new Span(epochNanos(e.getStartTime()), epochNanos(e.getEndTime()), "gc")));
            jfr.startAsync();
            try (LocalCluster cluster = LocalCluster.builder().processes(processes).workers(2).threadsPerWorker(1)
                    .recordUsage(false).build();
                 Client client = Client.connect(cluster)) {
                // Warm-up, not timed.
                client.gather(client.map(MillionBench::noop, range(20_000)), Duration.ofMinutes(5));
                for (String graph : List.of("map", "tree")) {
                    busyItems.clear();
                    pauses.clear();
                    long t0 = System.nanoTime();
                    boolean correct;
                    int count;
                    if (graph.equals("map")) {
                        List<Long> in = range(tasks);
                        List<TaskFuture<Long>> fs = client.map(MillionBench::noop, in);
                        count = fs.size();
                        correct = client.gather(fs, Duration.ofMinutes(30)).equals(in);
                    } else {
                        int leaves = tasks / 2;
                        List<TaskFuture<Long>> level = client.map(MillionBench::noop, range(leaves));
                        count = level.size();
                        while (level.size() > 1) {
                            List<TaskFuture<Long>> next = new ArrayList<>(level.size() / 2 + 1);
                            for (int i = 0; i + 1 < level.size(); i += 2) {
                                next.add(client.submit(MillionBench::add, level.get(i), level.get(i + 1)));
                            }
                            count += next.size();
                            if (level.size() % 2 == 1) {
                                next.add(level.get(level.size() - 1));
                            }
                            level = next;
                        }
                        long expected = (long) leaves * (leaves - 1) / 2;
                        correct = level.get(0).get(30, java.util.concurrent.TimeUnit.MINUTES) == expected;
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    Thread.sleep(1_500); // JFR streams events about once a second
                    long longest = 0;
                    long longestOwn = 0;
                    long gcLongest = 0;
                    int over100 = 0;
                    int over100Own = 0;
                    String longestOwnWhat = "-";
                    synchronized (busyItems) {
                        for (Span b : busyItems) {
                            long all = b.to() - b.from();
                            long own = withoutGc(b, pauses);
                            longest = Math.max(longest, all);
                            if (own > longestOwn) {
                                longestOwn = own;
                                longestOwnWhat = b.what();
                            }
                            over100 += all > 100_000_000L ? 1 : 0;
                            over100Own += own > 100_000_000L ? 1 : 0;
                        }
                    }
                    for (Span p : pauses) {
                        gcLongest = Math.max(gcLongest, p.to() - p.from());
                    }
                    System.out.printf(Locale.ROOT, "RESULT part=run variant=%s graph=%s tasks=%d seconds=%.2f us_per_task=%.2f "
                                    + "correct=%s loop_items_over_1ms=%d loop_items_over_100ms=%d loop_longest_ms=%.1f "
                                    + "gc_longest_pause_ms=%.1f loop_items_over_100ms_without_gc=%d loop_longest_without_gc_ms=%.1f (%s)%n",
                            processes ? "processes" : "embedded", graph, count, seconds, seconds * 1e6 / count, correct,
                            busyItems.size(), over100, longest / 1e6, gcLongest / 1e6, over100Own, longestOwn / 1e6, longestOwnWhat);
                    System.out.flush();
                }
            }
        }
    }

    static List<Long> range(int n) {
        List<Long> in = new ArrayList<>(n);
        for (long i = 0; i < n; i++) {
            in.add(i);
        }
        return in;
    }
}
