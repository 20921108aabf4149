package dev.burst;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.runtime.Invocation;
import dev.burst.internal.runtime.TaskNames;
import dev.burst.internal.scheduler.TaskSpec;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns what clients submit (single calls, maps, {@link Delayed} graphs) into {@link TaskSpec}s:
 * keys, dependencies, priorities and the {@link Invocation} payload each worker runs.
 */
final class GraphBuilder {
    /** Key numbers unique within this JVM, so clients sharing a cluster never collide. */
    private static final AtomicLong KEY_IDS = new AtomicLong();

    private GraphBuilder() {
    }

    static TaskKey newKey(Object function, TaskOptions options) {
        String prefix = options.name() != null ? options.name() : TaskNames.prefixOf(function);
        return new TaskKey(prefix, KEY_IDS.incrementAndGet());
    }

    static ResourceAmounts resourcesOf(TaskOptions options) {
        Resources r = options.resources();
        return r.isEmpty() ? ResourceAmounts.ONE_CPU : ResourceAmounts.of(r.asMap()).withDefaultCpu();
    }

    static TaskSpec spec(TaskKey key, List<TaskKey> deps, TaskOptions options, long submission, long order,
                         Invocation invocation) {
        return new TaskSpec(key, deps, resourcesOf(options), new TaskPriority(options.priority(), submission, order),
                options.retries(), invocation);
    }

    /** Specs for a Delayed graph, dependencies first (depth-first post-order, which keeps reductions tight). */
    static List<TaskSpec> delayedGraph(Delayed<?> root, long submission, Map<Delayed<?>, TaskKey> keys) {
        List<TaskSpec> specs = new ArrayList<>();
        IdentityHashMap<Delayed<?>, Boolean> done = new IdentityHashMap<>();
        ArrayList<Delayed<?>> stack = new ArrayList<>();
        ArrayList<Integer> next = new ArrayList<>();
        stack.add(root);
        next.add(0);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            Delayed<?> node = stack.get(top);
            int i = next.get(top);
            if (i < node.inputs.size()) {
                next.set(top, i + 1);
                Delayed<?> in = node.inputs.get(i);
                if (!in.isConstant() && !done.containsKey(in)) {
                    stack.add(in);
                    next.add(0);
                }
                continue;
            }
            stack.remove(top);
            next.remove(top);
            if (done.put(node, Boolean.TRUE) != null) {
                continue;
            }
            specs.add(nodeSpec(node, submission, specs.size(), keys));
        }
        return specs;
    }

    private static TaskSpec nodeSpec(Delayed<?> node, long submission, long order, Map<Delayed<?>, TaskKey> keys) {
        if (node.isConstant()) {
            // Only a constant at the root becomes a task of its own.
            Object c = node.constant;
            TaskKey key = new TaskKey("value", KEY_IDS.incrementAndGet());
            keys.put(node, key);
            return spec(key, List.of(), TaskOptions.defaults(), submission, order, in -> c);
        }
        List<TaskKey> deps = new ArrayList<>();
        int n = node.inputs.size();
        int[] inputIndex = new int[n];
        Object[] constants = new Object[n];
        for (int i = 0; i < n; i++) {
            Delayed<?> in = node.inputs.get(i);
            if (in.isConstant()) {
                inputIndex[i] = -1;
                constants[i] = in.constant;
            } else {
                TaskKey dk = keys.get(in);
                int existing = deps.indexOf(dk);
                if (existing < 0) {
                    existing = deps.size();
                    deps.add(dk);
                }
                inputIndex[i] = existing;
            }
        }
        TaskKey key = newKey(node.function, node.options);
        keys.put(node, key);
        Object fn = node.function;
        Invocation inv = inputs -> {
            Object[] args = new Object[n];
            for (int i = 0; i < n; i++) {
                args[i] = inputIndex[i] < 0 ? constants[i] : inputs[inputIndex[i]];
            }
            return apply(fn, args);
        };
        return spec(key, deps, node.options, submission, order, inv);
    }

    /** Specs for a named task graph, in the order its tasks were added; {@code keys} receives each name's key. */
    static List<TaskSpec> keyedGraph(TaskGraph graph, long submission, Map<String, TaskKey> keys) {
        for (TaskGraph.Node n : graph.nodes().values()) {
            keys.put(n.name(), newKey(n.body(), n.options()));
        }
        List<TaskSpec> specs = new ArrayList<>(graph.nodes().size());
        long order = 0;
        for (TaskGraph.Node n : graph.nodes().values()) {
            List<TaskKey> deps = new ArrayList<>();
            int[] inputIndex = new int[n.inputs().size()];
            for (int i = 0; i < inputIndex.length; i++) {
                TaskKey dk = keys.get(n.inputs().get(i));
                int at = deps.indexOf(dk);
                if (at < 0) {
                    at = deps.size();
                    deps.add(dk);
                }
                inputIndex[i] = at;
            }
            TaskGraph.Body body = n.body();
            Invocation inv = inputs -> {
                List<Object> args = new ArrayList<>(inputIndex.length);
                for (int i : inputIndex) {
                    args.add(inputs[i]);
                }
                return body.apply(args);
            };
            specs.add(spec(keys.get(n.name()), deps, n.options(), submission, order++, inv));
        }
        return specs;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object apply(Object fn, Object[] args) throws Exception {
        return switch (fn) {
            case TaskCallable c -> c.call();
            case TaskFunction f -> f.apply(args[0]);
            case TaskBiFunction f -> f.apply(args[0], args[1]);
            default -> throw new IllegalArgumentException("not a task function: " + fn.getClass().getName());
        };
    }
}
