package dev.burst.internal.adaptive;

/**
 * One connected worker as the adaptive policy sees it.
 *
 * @param name               the worker's name (what the cluster manager started it as)
 * @param threads            its executor threads ({@code cpu})
 * @param processingTasks    tasks assigned to it and not finished
 * @param processingWorkNanos expected nanoseconds of work assigned to it and not finished
 * @param storedBytes        bytes of results it holds
 * @param soleNeededResults  results it holds that exist on no other worker and are still needed
 *                           (by a task, or by a client that has not received them)
 * @param retiring           being retired already
 */
public record WorkerView(String name, int threads, int processingTasks, double processingWorkNanos,
                         long storedBytes, int soleNeededResults, boolean retiring) {
}
