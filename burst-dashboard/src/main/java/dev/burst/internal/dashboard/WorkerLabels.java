package dev.burst.internal.dashboard;

import java.util.Map;

/**
 * Short names for a cluster's workers on its pages: {@code worker-1}, {@code worker-2}, ... in the
 * order the dashboard first saw them, so that a row reads the same on every page and at every
 * refresh. A worker's own name ({@code 127.0.0.1:39711} for a worker process, the cluster's name
 * and {@code -worker-n} for an embedded one) says where it runs, not which one it is, and stays in
 * the pages as a tooltip and in the metrics as a label.
 *
 * <p>An embedded worker's name already ends in its number ({@code <cluster>-worker-3}); that
 * number is kept, so the page and the logs agree.
 */
final class WorkerLabels {
    private final String clusterPrefix;
    /** The most labels kept: a long-lived adaptive cluster sees workers come and go without end. */
    static final int KEPT = 10_000;
    /**
     * Guarded by this. The oldest label goes first past {@link #KEPT}; a worker that left keeps its
     * label until then, so the task stream's recent rows still read as they did. Numbers are never
     * reused ({@link #seen} only grows).
     */
    private final Map<String, String> labels = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > KEPT;
        }
    };
    /** Guarded by this. */
    private int seen;

    WorkerLabels(String cluster) {
        this.clusterPrefix = cluster + "-";
    }

    synchronized String of(String worker) {
        return labels.computeIfAbsent(worker, w -> {
            seen++;
            String rest = w.startsWith(clusterPrefix) ? w.substring(clusterPrefix.length()) : null;
            return rest != null && rest.matches("worker-[0-9]+") ? rest : "worker-" + seen;
        });
    }
}
