package dev.burst;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A task graph with named tasks, for graphs that come from data (a workflow file, a build plan)
 * rather than from code; the counterpart of Dask's dict graphs. Each task gets the results of the
 * tasks it names, in the order it names them. Run it with {@link Client#compute(TaskGraph, String...)}.
 *
 * <pre>{@code
 * TaskGraph graph = TaskGraph.builder()
 *         .task("load-a", in -> load("a"))
 *         .task("load-b", in -> load("b"))
 *         .task("merge", in -> merge(in.get(0), in.get(1)), "load-a", "load-b")
 *         .build();
 * Object merged = client.compute(graph, "merge").get("merge").get();
 * }</pre>
 *
 * <p>Names must be unique and every named input must be a task of the graph ({@link Builder#build()}
 * says which is not). A graph whose tasks depend on each other in a cycle is refused by the
 * scheduler: the futures fail with {@link InvalidGraphException} naming the cycle.
 */
public final class TaskGraph {
    /** A task body: the results of the named inputs in, the task's result out. */
    @FunctionalInterface
    public interface Body extends Serializable {
        Object apply(List<Object> inputs) throws Exception;
    }

    /** One task: its name, body, inputs and options. */
    record Node(String name, Body body, List<String> inputs, TaskOptions options) {
    }

    private final Map<String, Node> nodes;

    private TaskGraph(Map<String, Node> nodes) {
        this.nodes = nodes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The task names, in the order they were added. */
    public Set<String> names() {
        return Collections.unmodifiableSet(nodes.keySet());
    }

    Map<String, Node> nodes() {
        return nodes;
    }

    /** Names no other task takes as input: the graph's results when none are asked for. */
    List<String> sinks() {
        Set<String> used = new HashSet<>();
        for (Node n : nodes.values()) {
            used.addAll(n.inputs());
        }
        List<String> out = new ArrayList<>();
        for (String name : nodes.keySet()) {
            if (!used.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    /** Builds a {@link TaskGraph}; rejects a bad name or a duplicate at once, naming it. */
    public static final class Builder {
        private final Map<String, Node> nodes = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds task {@code name} running {@code body} on the results of {@code inputs}. */
        public Builder task(String name, Body body, String... inputs) {
            return task(name, body, TaskOptions.defaults(), inputs);
        }

        public Builder task(String name, Body body, TaskOptions options, String... inputs) {
            Objects.requireNonNull(name, "task name must not be null");
            Objects.requireNonNull(body, "function of task '" + name + "' must not be null");
            Objects.requireNonNull(options, "options must not be null (use TaskOptions.defaults())");
            Objects.requireNonNull(inputs, "inputs must not be null");
            if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("task name must be non-blank without whitespace, got '" + name + "'");
            }
            for (String in : inputs) {
                Objects.requireNonNull(in, "task '" + name + "' names a null input");
            }
            if (nodes.containsKey(name)) {
                throw new IllegalArgumentException("task '" + name + "' is added twice");
            }
            TaskOptions named = options.name() != null ? options : TaskOptions.builder()
                    .resources(options.resources()).priority(options.priority()).retries(options.retries())
                    .name(name).build();
            nodes.put(name, new Node(name, body, List.of(inputs), named));
            return this;
        }

        /**
         * The graph. Every input must name a task of the graph; cycles are left to the scheduler,
         * which refuses them with the cycle spelled out.
         */
        public TaskGraph build() {
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("a task graph needs at least one task");
            }
            for (Node n : nodes.values()) {
                for (String in : n.inputs()) {
                    if (!nodes.containsKey(in)) {
                        throw new IllegalArgumentException("task '" + n.name() + "' takes input '" + in
                                + "', which is not a task of this graph");
                    }
                }
            }
            return new TaskGraph(new LinkedHashMap<>(nodes));
        }
    }
}
