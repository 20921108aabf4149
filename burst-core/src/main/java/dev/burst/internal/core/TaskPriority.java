package dev.burst.internal.core;

/**
 * Order in which runnable tasks are picked: higher user priority first, then earlier submission,
 * then graph order (dependencies before the tasks that use them, depth first).
 */
public record TaskPriority(int user, long submission, long graphOrder) implements Comparable<TaskPriority> {
    public static final TaskPriority DEFAULT = new TaskPriority(0, 0, 0);

    @Override
    public int compareTo(TaskPriority o) {
        if (user != o.user) {
            return Integer.compare(o.user, user); // higher user priority sorts first
        }
        if (submission != o.submission) {
            return Long.compare(submission, o.submission);
        }
        return Long.compare(graphOrder, o.graphOrder);
    }
}
