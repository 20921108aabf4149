package dev.burst.internal.cli;

import dev.burst.ClusterStatus;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code burst map} writes: the commands' outputs as whole blocks on stdout and stderr, and
 * an optional progress bar on the last line of stderr.
 *
 * <p>Design note: the bar is drawn by the progress-bar library's refresh thread through a
 * {@link DelegatingProgressBarConsumer}, so that drawing it and writing an output block take the same
 * lock: a block first erases the bar's line, is written whole, and the bar is drawn again below it.
 * Without that a block would start in the middle of the bar and the terminal would show fragments.
 */
final class ProgressConsole implements AutoCloseable {
    /** Erase the current line and return to its start (VT100, understood by every terminal in use). */
    private static final String ERASE_LINE = "\r\033[2K";

    private final PrintStream out;
    private final PrintStream err;
    private final ProgressBar bar;
    private String lastBar = "";
    private volatile int failed;
    private volatile String cluster = "";

    /**
     * @param showBar whether to draw a bar (only when stderr is a terminal: escape codes would
     *                garble a log file)
     */
    ProgressConsole(PrintStream out, PrintStream err, long total, boolean showBar) {
        this.out = out;
        this.err = err;
        this.bar = showBar ? new ProgressBarBuilder().setTaskName("commands").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate().showSpeed()
                .setConsumer(new DelegatingProgressBarConsumer(this::drawBar, terminalWidth()))
                .build() : null;
    }

    private synchronized void drawBar(String rendered) {
        lastBar = rendered;
        err.print('\r' + rendered);
        err.flush();
    }

    /**
     * One job has ended; {@code failed} so far is shown beside the bar. Not under this object's lock:
     * the bar's own refresh thread may hold the bar's lock while it waits for ours in drawBar.
     */
    void step(int failed) {
        if (bar != null) {
            this.failed = failed;
            bar.setExtraMessage(extraMessage());
            bar.step();
        }
    }

    /** Whether a bar is drawn (else nobody needs the cluster's status). */
    boolean showsBar() {
        return bar != null;
    }

    /** The cluster's status: shown beside the bar (commands running, workers). */
    void status(ClusterStatus status) {
        if (bar != null) {
            this.cluster = StatusPoller.describe(status);
            bar.setExtraMessage(extraMessage());
        }
    }

    private String extraMessage() {
        int f = failed;
        String m = cluster + (f == 0 ? "" : (cluster.isEmpty() ? "" : ", ") + f + " failed");
        return m.isEmpty() ? "" : " " + m; // the bar runs its speed and this together
    }

    /**
     * Writes a command's output: all of stdout, then all of stderr, each taken from its spill file
     * when the command wrote more than was kept in memory (the spill file holds the whole stream).
     */
    synchronized void printBlock(String stdout, Path stdoutSpill, String stderr, Path stderrSpill) {
        eraseBar();
        write(out, stdout, stdoutSpill);
        write(err, stderr, stderrSpill);
        redrawBar();
    }

    /** Writes a line of our own to stderr (a retry notice, the summary). */
    synchronized void note(String line) {
        eraseBar();
        err.println(line);
        err.flush();
        redrawBar();
    }

    private void write(PrintStream stream, String kept, Path spill) {
        if (spill != null && Files.isReadable(spill)) {
            try (InputStream in = Files.newInputStream(spill)) {
                in.transferTo(stream);
                stream.flush();
                return;
            } catch (IOException e) {
                stream.print(kept); // the head is better than nothing
                err.println("burst map: could not read the full output from " + spill + " (" + e.getMessage() + "); its first "
                        + kept.getBytes(StandardCharsets.UTF_8).length + " bytes are above");
                return;
            }
        }
        if (spill != null) {
            stream.print(kept);
            err.println("burst map: output truncated; the whole output is in " + spill + " on the worker that ran the command");
        } else {
            stream.print(kept);
        }
        stream.flush();
    }

    private void eraseBar() {
        if (bar != null && !lastBar.isEmpty()) {
            err.print(ERASE_LINE);
            err.flush();
        }
    }

    private void redrawBar() {
        if (bar != null && !lastBar.isEmpty()) {
            err.print('\r' + lastBar);
            err.flush();
        }
    }

    /** Stops the bar, leaving its final state on a line of its own. */
    @Override
    public void close() {
        if (bar == null) {
            return;
        }
        bar.close(); // draws the final state through drawBar
        synchronized (this) {
            if (!lastBar.isEmpty()) {
                err.println();
                err.flush();
                lastBar = "";
            }
        }
    }

    /** $COLUMNS when the shell exported it; 100 otherwise (a bar that is too wide wraps, one too narrow does not hurt). */
    private static int terminalWidth() {
        try {
            int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100").trim());
            return Math.max(40, columns - 1);
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
