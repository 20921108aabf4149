package dev.burst.jupyter;

import dev.burst.Client;
import dev.burst.TaskFuture;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;

import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Burst in a notebook cell ({@code burst jupyter install}'s kernel imports it): a {@link #gather}
 * whose progress is one bar that updates in place, not thousands of printed lines.
 */
public final class Notebook {
    private static final long UPDATE_MILLIS = 500;

    private Notebook() {
    }

    /**
     * {@code client.gather(futures)}, with a progress bar in the cell's output that updates in place
     * about twice a second; outside a notebook, the plain gather.
     */
    public static <T> List<T> gather(Client client, List<TaskFuture<T>> futures) {
        BaseKernel kernel = BaseKernel.notebookKernel();
        if (kernel == null || !kernel.getIO().display.isAttached() || futures.isEmpty()) {
            return client.gather(futures);
        }
        String id = "burst-progress-" + UUID.randomUUID();
        long start = System.nanoTime();
        kernel.getIO().display.display(progress(id, 0, futures.size(), 0));
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.stream()
                .map(TaskFuture::toCompletableFuture).toArray(CompletableFuture[]::new));
        while (true) {
            try {
                all.get(UPDATE_MILLIS, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException notYet) {
                long done = futures.stream().filter(TaskFuture::isDone).count();
                kernel.getIO().display.updateDisplay(id, progress(id, done, futures.size(), System.nanoTime() - start));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException failed) {
                break; // the gather below throws it as Burst does
            }
        }
        long done = futures.stream().filter(TaskFuture::isDone).count();
        kernel.getIO().display.updateDisplay(id, progress(id, done, futures.size(), System.nanoTime() - start));
        return client.gather(futures);
    }

    static DisplayData progress(String id, long done, int total, long nanos) {
        double pct = total == 0 ? 100 : 100.0 * done / total;
        String text = String.format(Locale.ROOT, "tasks %d/%d (%.0f %%) %.1f s", done, total, pct, nanos / 1e9);
        DisplayData d = new DisplayData(text);
        d.putData(MIMEType.TEXT_HTML, String.format(Locale.ROOT, "<div class=\"burst-progress\" style=\"font-family:sans-serif\">"
                + "<progress value=\"%d\" max=\"%d\" style=\"width:30em\"></progress> %s</div>", done, total, text));
        d.setDisplayId(id);
        return d;
    }
}
