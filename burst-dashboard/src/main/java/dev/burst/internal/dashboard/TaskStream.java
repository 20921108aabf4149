package dev.burst.internal.dashboard;

import dev.burst.ClusterListener;

import java.util.ArrayList;
import java.util.List;

/**
 * The last tasks that ended, numbered, for the dashboard's task stream: a listener of the cluster
 * that keeps a ring of {@link #CAPACITY} records, so that a page that asks what ended since record n
 * gets it, and one that fell behind gets the newest (a task stream shows seconds, not history).
 */
final class TaskStream implements ClusterListener {
    static final int CAPACITY = 20_000;

    /** One ended task, numbered in the order the cluster told of them. */
    record Entry(long seq, TaskRecord task) {
    }

    private final TaskRecord[] ring = new TaskRecord[CAPACITY];
    /** How many records were ever added; the next one is numbered this. Guarded by this. */
    private long added;

    @Override
    public synchronized void taskEnded(TaskRecord task) {
        ring[(int) (added % CAPACITY)] = task;
        added++;
    }

    /** The sequence number the next record will get. */
    synchronized long next() {
        return added;
    }

    /** Records numbered {@code from} on, at most the newest {@code max}. */
    synchronized List<Entry> since(long from, int max) {
        long start = Math.max(Math.max(from, added - CAPACITY), added - max);
        List<Entry> out = new ArrayList<>((int) Math.max(0, added - start));
        for (long s = Math.max(0, start); s < added; s++) {
            out.add(new Entry(s, ring[(int) (s % CAPACITY)]));
        }
        return out;
    }
}
