package dev.burst.internal.sim;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.scheduler.TaskSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Random task graphs for the simulation, and the truth to check results against: every task's
 * value is a deterministic function of its key and its inputs' values, so whichever worker computes
 * it, as often as it is recomputed, the value must come out the same.
 */
final class Workload {
    /** A resource no simulated worker offers: tasks asking for it must stall, never run. */
    static final String UNSATISFIABLE = "tpu";
    static final String GPU = "gpu";

    /** One submission: its tasks, the keys the client wants, and why it must be rejected (null if valid). */
    record Graph(List<TaskSpec> tasks, List<TaskKey> wanted, String invalid) {
    }

    private static final String[] PREFIXES = {"load", "clean", "join", "agg", "train"};

    private final SplittableRandom rng;
    private final Map<String, Long> meanNanos = new HashMap<>();
    private final Map<TaskKey, TaskSpec> specs = new HashMap<>();
    private final Map<TaskKey, Long> values = new HashMap<>();
    private final List<TaskKey> reusable = new ArrayList<>();
    private long nextId = 1;
    private long submissions;

    Workload(SplittableRandom rng) {
        this.rng = rng;
        for (String p : PREFIXES) {
            meanNanos.put(p, 20_000L + rng.nextLong(2_000_000L));
        }
    }

    TaskSpec spec(TaskKey key) {
        return specs.get(key);
    }

    /** Every valid key ever submitted, in submission order. */
    List<TaskKey> keys() {
        return reusable;
    }

    /** The value {@code key} must have, wherever and however often it is computed. */
    long expectedValue(TaskKey key) {
        Long v = values.get(key);
        if (v != null) {
            return v;
        }
        TaskSpec s = specs.get(key);
        List<Long> inputs = new ArrayList<>(s.dependencies().size());
        for (TaskKey d : s.dependencies()) {
            inputs.add(expectedValue(d)); // graphs are shallow enough for recursion
        }
        long value = valueOf(key, inputs);
        values.put(key, value);
        return value;
    }

    /** What executing {@code key} on {@code inputs} returns. */
    static long valueOf(TaskKey key, List<Long> inputs) {
        long h = key.id() * 0x9E3779B97F4A7C15L ^ key.prefix().hashCode();
        for (long v : inputs) {
            h = mix(h * 31 + v);
        }
        return mix(h);
    }

    /** The size a result of {@code key} claims to have. */
    static long nbytes(TaskKey key) {
        return 8 + Math.floorMod(mix(key.id()), 1_000_000L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The next submission: mostly valid random DAGs, now and then one the scheduler must reject. */
    Graph nextGraph() {
        submissions++;
        int roll = rng.nextInt(100);
        if (roll < 2) {
            return cyclicGraph();
        }
        if (roll < 4) {
            return graphWithMissingDependency();
        }
        return randomGraph(roll < 6);
    }

    private Graph randomGraph(boolean wantUnknownKey) {
        Map<TaskKey, TaskSpec> graph = new LinkedHashMap<>();
        List<TaskKey> fresh = new ArrayList<>();
        int n = 1 + rng.nextInt(rng.nextInt(4) == 0 ? 25 : 8);
        boolean flat = rng.nextInt(5) == 0; // a map: root tasks only
        Set<TaskKey> wanted = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            List<TaskKey> deps = new ArrayList<>();
            if (!flat && rng.nextInt(10) < 7) {
                int k = rng.nextInt(4);
                for (int j = 0; j < k; j++) {
                    if (!fresh.isEmpty() && rng.nextInt(6) != 0) {
                        TaskKey d = fresh.get(rng.nextInt(fresh.size()));
                        if (!deps.contains(d)) {
                            deps.add(d);
                        }
                    } else if (!reusable.isEmpty()) {
                        TaskKey d = reusable.get(rng.nextInt(reusable.size()));
                        if (!deps.contains(d)) {
                            deps.add(d);
                            includeWithInputs(d, graph);
                        }
                    }
                }
            }
            TaskSpec spec = newSpec(deps, i);
            graph.put(spec.key(), spec);
            fresh.add(spec.key());
        }
        // Sinks are wanted; so are some intermediate results and, now and then, an older key again.
        Set<TaskKey> used = new LinkedHashSet<>();
        for (TaskKey k : fresh) {
            used.addAll(graph.get(k).dependencies());
        }
        for (TaskKey k : fresh) {
            if (!used.contains(k) || rng.nextInt(5) == 0) {
                wanted.add(k);
            }
        }
        if (!reusable.isEmpty() && rng.nextInt(4) == 0) {
            TaskKey old = reusable.get(rng.nextInt(reusable.size()));
            includeWithInputs(old, graph);
            wanted.add(old);
        }
        for (TaskSpec s : graph.values()) {
            if (specs.putIfAbsent(s.key(), s) == null) {
                reusable.add(s.key());
            }
        }
        if (wantUnknownKey) {
            wanted.add(new TaskKey("ghost", nextId++));
        }
        List<TaskSpec> tasks = new ArrayList<>(graph.values());
        shuffle(tasks); // the scheduler must order dependencies first itself
        return new Graph(tasks, new ArrayList<>(wanted), null);
    }

    /** {@code key}'s spec and those of everything it depends on, inputs first. */
    List<TaskSpec> withInputs(TaskKey key) {
        Map<TaskKey, TaskSpec> graph = new LinkedHashMap<>();
        includeWithInputs(key, graph);
        return new ArrayList<>(graph.values());
    }

    private void includeWithInputs(TaskKey key, Map<TaskKey, TaskSpec> graph) {
        if (graph.containsKey(key)) {
            return;
        }
        TaskSpec s = specs.get(key);
        for (TaskKey d : s.dependencies()) {
            includeWithInputs(d, graph);
        }
        graph.put(key, s);
    }

    private TaskSpec newSpec(List<TaskKey> deps, int graphOrder) {
        int r = rng.nextInt(100);
        String prefix;
        ResourceAmounts resources;
        if (r < 12) {
            prefix = "train";
            resources = ResourceAmounts.of(Map.of(GPU, rng.nextInt(3) == 0 ? 0.5 : 1.0));
        } else if (r < 17) {
            prefix = "join";
            resources = ResourceAmounts.of(Map.of(ResourceAmounts.CPU, 2.0));
        } else if (r < 18) {
            prefix = "agg";
            resources = ResourceAmounts.of(Map.of(UNSATISFIABLE, 1.0));
        } else {
            prefix = PREFIXES[rng.nextInt(3)];
            resources = ResourceAmounts.NONE;
        }
        int user = rng.nextInt(5) == 0 ? rng.nextInt(-1, 3) : 0;
        int retries = rng.nextInt(3) == 0 ? 1 + rng.nextInt(3) : 0;
        int f = rng.nextInt(100);
        double failProbability = f < 4 ? 1.0 : f < 15 ? 0.3 : 0.0;
        TaskKey key = new TaskKey(prefix, nextId++);
        return new TaskSpec(key, deps, resources, new TaskPriority(user, submissions, graphOrder), retries,
                new SimPayload(meanNanos.get(prefix), failProbability));
    }

    /**
     * One graph of about {@code tasks} tasks for a run at scale: a map of {@code tasks / 2} leaves
     * and a pairwise tree over them; the client wants the root and every hundredth leaf. A few
     * percent of the tasks fail now and then and are retried.
     */
    Graph scaleGraph(int tasks) {
        submissions++;
        int leaves = Math.max(2, tasks / 2);
        List<TaskSpec> specs = new ArrayList<>(2 * leaves);
        List<TaskKey> wanted = new ArrayList<>(leaves / 100 + 1);
        List<TaskKey> level = new ArrayList<>(leaves);
        for (int i = 0; i < leaves; i++) {
            TaskSpec s = scaleSpec("load", List.of(), i);
            specs.add(s);
            level.add(s.key());
            if (i % 100 == 0) {
                wanted.add(s.key());
            }
        }
        while (level.size() > 1) {
            List<TaskKey> next = new ArrayList<>(level.size() / 2 + 1);
            for (int i = 0; i + 1 < level.size(); i += 2) {
                TaskSpec s = scaleSpec("agg", List.of(level.get(i), level.get(i + 1)), specs.size());
                specs.add(s);
                next.add(s.key());
            }
            if (level.size() % 2 == 1) {
                next.add(level.get(level.size() - 1));
            }
            level = next;
        }
        wanted.add(level.get(0));
        for (TaskSpec s : specs) {
            this.specs.put(s.key(), s);
            reusable.add(s.key());
        }
        return new Graph(specs, wanted, null);
    }

    private TaskSpec scaleSpec(String prefix, List<TaskKey> deps, int graphOrder) {
        boolean flaky = rng.nextInt(50) == 0;
        return new TaskSpec(new TaskKey(prefix, nextId++), deps, ResourceAmounts.NONE,
                new TaskPriority(0, submissions, graphOrder), flaky ? 8 : 0,
                new SimPayload(meanNanos.get(prefix), flaky ? 0.2 : 0.0));
    }

    private Graph cyclicGraph() {
        TaskKey a = new TaskKey("load", nextId++);
        TaskKey b = new TaskKey("clean", nextId++);
        TaskKey c = new TaskKey("agg", nextId++);
        List<TaskSpec> tasks = new ArrayList<>(List.of(
                plain(a, List.of(b)), plain(b, List.of(a)), plain(c, List.of(a))));
        shuffle(tasks);
        return new Graph(tasks, List.of(c, a), "dependency cycle");
    }

    private Graph graphWithMissingDependency() {
        TaskKey ghost = new TaskKey("ghost", nextId++);
        TaskKey a = new TaskKey("load", nextId++);
        TaskKey b = new TaskKey("clean", nextId++);
        return new Graph(List.of(plain(a, List.of()), plain(b, List.of(a, ghost))), List.of(b, a), ghost.toString());
    }

    private TaskSpec plain(TaskKey key, List<TaskKey> deps) {
        return new TaskSpec(key, deps, ResourceAmounts.NONE, new TaskPriority(0, submissions, 0), 0,
                new SimPayload(1000, 0));
    }

    private <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
