package dev.burst.internal.scheduler;

import dev.burst.internal.core.TaskKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a submitted graph before the scheduler touches its books, and orders it so that every
 * task comes after its dependencies. A rejected graph changes nothing.
 */
final class GraphCheck {
    private GraphCheck() {
    }

    /** The outcome of checking a graph: what is wrong with it (null if nothing), or its tasks dependencies first. */
    record Checked(String problem, List<TaskSpec> ordered) {
    }

    /**
     * Checks {@code specs} and orders them dependencies first. Clients send graphs in that order
     * already, which one pass confirms (then no cycle is possible); only other graphs pay for the
     * full cycle search and reordering.
     */
    static Checked check(List<TaskSpec> specs, Set<TaskKey> known) {
        Set<TaskKey> seen = new HashSet<>(specs.size() * 2);
        boolean inOrder = true;
        for (TaskSpec s : specs) {
            if (s == null) {
                return new Checked("the graph contains a null task", null);
            }
            for (TaskKey d : s.dependencies()) {
                if (!seen.contains(d) && !known.contains(d)) {
                    inOrder = false;
                }
            }
            if (!seen.add(s.key())) {
                return new Checked("key " + s.key() + " appears twice in the graph", null);
            }
        }
        if (inOrder) {
            return new Checked(null, specs);
        }
        return checkUnordered(specs, known);
    }

    /**
     * The slow path, for a graph not in dependency order: nulls and duplicates were ruled out by
     * {@link #check}. Names a missing dependency or a cycle, or orders the tasks.
     */
    private static Checked checkUnordered(List<TaskSpec> specs, Set<TaskKey> known) {
        Map<TaskKey, TaskSpec> byKey = new HashMap<>(specs.size() * 2);
        for (TaskSpec s : specs) {
            byKey.put(s.key(), s);
        }
        for (TaskSpec s : specs) {
            for (TaskKey d : s.dependencies()) {
                if (!byKey.containsKey(d) && !known.contains(d)) {
                    return new Checked("task " + s.key() + " depends on " + d
                            + ", which is neither in the graph nor known to the scheduler", null);
                }
            }
        }
        List<TaskKey> cycle = findCycle(specs, byKey);
        if (cycle != null) {
            StringBuilder sb = new StringBuilder("dependency cycle: ");
            for (int i = 0; i < cycle.size(); i++) {
                sb.append(i == 0 ? "" : " -> ").append(cycle.get(i));
            }
            return new Checked(sb.toString(), null);
        }
        return new Checked(null, dependenciesFirst(specs, byKey));
    }

    /** The specs with every task after its dependencies; keeps the given order where it already is. */
    private static List<TaskSpec> dependenciesFirst(List<TaskSpec> specs, Map<TaskKey, TaskSpec> byKey) {
        List<TaskSpec> order = new ArrayList<>(specs.size());
        Set<TaskKey> placed = new HashSet<>(specs.size() * 2);
        for (TaskSpec s : specs) {
            place(s, byKey, placed, order);
        }
        return order;
    }

    private static void place(TaskSpec root, Map<TaskKey, TaskSpec> byKey, Set<TaskKey> placed, List<TaskSpec> order) {
        if (placed.contains(root.key())) {
            return;
        }
        // Iterative post-order so that deep chains do not overflow the stack.
        ArrayList<TaskSpec> stack = new ArrayList<>();
        ArrayList<Integer> next = new ArrayList<>();
        stack.add(root);
        next.add(0);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            TaskSpec s = stack.get(top);
            int i = next.get(top);
            if (i < s.dependencies().size()) {
                next.set(top, i + 1);
                TaskSpec d = byKey.get(s.dependencies().get(i));
                if (d != null && !placed.contains(d.key())) {
                    stack.add(d);
                    next.add(0);
                }
            } else {
                stack.remove(top);
                next.remove(top);
                if (placed.add(s.key())) {
                    order.add(s);
                }
            }
        }
    }

    private static List<TaskKey> findCycle(List<TaskSpec> specs, Map<TaskKey, TaskSpec> byKey) {
        Map<TaskKey, Integer> color = new HashMap<>(specs.size() * 2); // 1 = on the path, 2 = done
        for (TaskSpec root : specs) {
            if (color.containsKey(root.key())) {
                continue;
            }
            ArrayList<TaskSpec> stack = new ArrayList<>();
            ArrayList<Integer> next = new ArrayList<>();
            stack.add(root);
            next.add(0);
            color.put(root.key(), 1);
            while (!stack.isEmpty()) {
                int top = stack.size() - 1;
                TaskSpec s = stack.get(top);
                int i = next.get(top);
                if (i < s.dependencies().size()) {
                    next.set(top, i + 1);
                    TaskKey dk = s.dependencies().get(i);
                    TaskSpec d = byKey.get(dk);
                    if (d == null) {
                        continue; // an existing task: cannot close a cycle through new ones
                    }
                    Integer c = color.get(dk);
                    if (c == null) {
                        color.put(dk, 1);
                        stack.add(d);
                        next.add(0);
                    } else if (c == 1) {
                        List<TaskKey> cycle = new ArrayList<>();
                        int from = 0;
                        while (!stack.get(from).key().equals(dk)) {
                            from++;
                        }
                        for (int j = from; j < stack.size(); j++) {
                            cycle.add(stack.get(j).key());
                        }
                        cycle.add(dk);
                        return cycle;
                    }
                } else {
                    color.put(s.key(), 2);
                    stack.remove(top);
                    next.remove(top);
                }
            }
        }
        return null;
    }
}
