package dev.burst.internal.core;

/**
 * One line of a task's story: the state it left, the state it entered, and what caused it.
 * {@code from} is null when the task was new; {@code to} is null when it was forgotten.
 */
public record Transition(Object key, Enum<?> from, Enum<?> to, StimulusId stimulus, long seq) {
    @Override
    public String toString() {
        return String.format("#%d %s: %s -> %s (%s)", seq, key,
                from == null ? "new" : from.name(), to == null ? "forgotten" : to.name(), stimulus);
    }
}
