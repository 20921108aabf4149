package dev.burst;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.scheduler.TaskSpec;
import dev.burst.internal.task.TaskCall.TaskArguments;
import dev.burst.internal.task.TaskCall;
import dev.burst.internal.task.TaskNames;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns what clients submit (single calls, maps, {@link Delayed} graphs) into {@link TaskSpec}s:
 * keys, dependencies, priorities and the {@link TaskCall} payload each worker runs.
 */
final class GraphBuilder {
    /**
     * Key numbers of one client. In-process clients share one JVM-wide counter; a remote client
     * counts from the key base its scheduler gave it, so clients in different processes never collide.
     */
    private static final AtomicLong SHARED_KEY_IDS = new AtomicLong();

    private final AtomicLong keyIds;

    GraphBuilder(long keyBase) {
        this.keyIds = keyBase == 0 ? SHARED_KEY_IDS : new AtomicLong(keyBase);
    }

    TaskKey newKey(Object function, TaskOptions options) {
        String prefix = options.name() != null ? options.name() : TaskNames.prefixOf(function);
        return new TaskKey(prefix, keyIds.incrementAndGet());
    }

    static ResourceAmounts resourcesOf(TaskOptions options) {
        Resources r = options.resources();
        return r.isEmpty() ? ResourceAmounts.ONE_CPU : ResourceAmounts.of(r.asMap()).withDefaultCpu();
    }

    static TaskSpec spec(TaskKey key, List<TaskKey> deps, TaskOptions options, long submission, long order,
                         TaskCall call) {
        return new TaskSpec(key, deps, resourcesOf(options), new TaskPriority(options.priority(), submission, order),
                options.retries(), call);
    }

    /** Specs for a Delayed graph, dependencies first (depth-first post-order, which keeps reductions tight). */
    List<TaskSpec> delayedGraph(Delayed<?> root, long submission, Map<Delayed<?>, TaskKey> keys) {
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

    private TaskSpec nodeSpec(Delayed<?> node, long submission, long order, Map<Delayed<?>, TaskKey> keys) {
        if (node.isConstant()) {
            // Only a constant at the root becomes a task of its own.
            Object c = node.constant;
            TaskKey key = new TaskKey("value", keyIds.incrementAndGet());
            keys.put(node, key);
            return spec(key, List.of(), TaskOptions.defaults(), submission, order,
                    new TaskCall((TaskFunction<Object, Object>) x -> x, TaskArguments.constant(c)));
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
        return spec(key, deps, node.options, submission, order,
                new TaskCall(node.function, new TaskArguments(constants, inputIndex)));
    }

    /** Specs for a named task graph, in the order its tasks were added; {@code keys} receives each name's key. */
    List<TaskSpec> keyedGraph(TaskGraph graph, long submission, Map<String, TaskKey> keys) {
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
            specs.add(spec(keys.get(n.name()), deps, n.options(), submission, order++,
                    new TaskCall(n.body(), TaskArguments.inputs(inputIndex))));
        }
        return specs;
    }
}
