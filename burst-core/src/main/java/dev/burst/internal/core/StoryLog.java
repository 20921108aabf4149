package dev.burst.internal.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounded log of recent transitions, shared by all tasks of one state machine. Like Dask's
 * transition log it keeps the last {@code capacity} entries, so memory stays bounded however many
 * tasks pass through; {@link #story(Object)} reads a task's entries back.
 *
 * <p>Entries are kept in parallel arrays rather than as objects: recording happens several times
 * per task on the scheduling hot path and must not allocate; reading a story is rare.
 */
public final class StoryLog {
    private final Object[] keys;
    private final Enum<?>[] froms;
    private final Enum<?>[] tos;
    private final StimulusId[] stimuli;
    private long next;

    public StoryLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("story capacity must be >= 1, got " + capacity);
        }
        keys = new Object[capacity];
        froms = new Enum<?>[capacity];
        tos = new Enum<?>[capacity];
        stimuli = new StimulusId[capacity];
    }

    /** Records that {@code key} went from {@code from} (null: new) to {@code to} (null: forgotten). */
    public void record(Object key, Enum<?> from, Enum<?> to, StimulusId stimulus) {
        int i = (int) (next++ % keys.length);
        keys[i] = key;
        froms[i] = from;
        tos[i] = to;
        stimuli[i] = stimulus;
    }

    /** The retained transitions of {@code key}, oldest first. */
    public List<Transition> story(Object key) {
        List<Transition> out = new ArrayList<>();
        long first = Math.max(0, next - keys.length);
        for (long s = first; s < next; s++) {
            int i = (int) (s % keys.length);
            if (key.equals(keys[i])) {
                out.add(new Transition(keys[i], froms[i], tos[i], stimuli[i], s));
            }
        }
        return out;
    }
}
