package dev.burst.internal.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounded log of recent transitions, shared by all tasks of one state machine. Like Dask's
 * transition log it keeps the last {@code capacity} entries, so memory stays bounded however many
 * tasks pass through; {@link #story(Object)} reads a task's entries back.
 */
public final class StoryLog {
    private final Transition[] ring;
    private long next;

    public StoryLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("story capacity must be >= 1, got " + capacity);
        }
        this.ring = new Transition[capacity];
    }

    public void record(Object key, Enum<?> from, Enum<?> to, StimulusId stimulus) {
        long seq = next++;
        ring[(int) (seq % ring.length)] = new Transition(key, from, to, stimulus, seq);
    }

    /** The retained transitions of {@code key}, oldest first. */
    public List<Transition> story(Object key) {
        List<Transition> out = new ArrayList<>();
        long first = Math.max(0, next - ring.length);
        for (long s = first; s < next; s++) {
            Transition t = ring[(int) (s % ring.length)];
            if (t.key().equals(key)) {
                out.add(t);
            }
        }
        return out;
    }
}
