package dev.burst.internal.sim;

import java.util.PriorityQueue;

/**
 * The simulation's virtual clock: a priority queue of timed actions, run one at a time in time
 * order (ties in the order they were scheduled). No threads and no real time: a run is a pure
 * function of its seed.
 */
final class Timeline {

    /** A one-way channel with FIFO delivery, like one gRPC stream: random delays never reorder it. */
    static final class Link {
        private long lastDelivery;
    }

    private record Entry(long time, long seq, Object what, Runnable action) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long now;
    private long seq;
    private Object current = "start";

    long now() {
        return now;
    }

    /** What the action being run is (formatted only when a failure is reported). */
    Object current() {
        return current;
    }

    void after(long delayNanos, Object what, Runnable action) {
        queue.add(new Entry(now + Math.max(0, delayNanos), seq++, what, action));
    }

    /** Delivers over {@code link} after about {@code delayNanos}, but never before what was sent earlier on it. */
    void send(Link link, long delayNanos, Object what, Runnable action) {
        long at = Math.max(now + Math.max(0, delayNanos), link.lastDelivery);
        link.lastDelivery = at;
        queue.add(new Entry(at, seq++, what, action));
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int pending() {
        return queue.size();
    }

    /** Runs the next action; false when nothing is left. */
    boolean step() {
        Entry e = queue.poll();
        if (e == null) {
            return false;
        }
        now = e.time;
        current = e.what;
        e.action.run();
        return true;
    }
}
