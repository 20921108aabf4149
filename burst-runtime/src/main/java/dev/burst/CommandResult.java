package dev.burst;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Command} ended: its exit code, and what it wrote to stdout and stderr.
 *
 * <p>Each stream is kept in memory up to the command's {@code maxOutputBytes}; a longer stream is
 * written whole (head included) to a spill file on the worker that ran it, and
 * {@link #stdoutSpill()} / {@link #stderrSpill()} name that file. They are null when the stream fit in
 * memory (nullable rather than {@code Optional} so the result stays a plain serializable value).
 *
 * @param argv          the program and its arguments
 * @param exitCode      the program's exit code; 127 when the program was not found, 126 when it
 *                      could not be executed (the shell's convention), with the reason in stderr
 * @param stdout        the first {@code maxOutputBytes} of stdout, decoded as UTF-8
 * @param stderr        the first {@code maxOutputBytes} of stderr, decoded as UTF-8
 * @param stdoutBytes   how many bytes the program wrote to stdout in all
 * @param stderrBytes   how many bytes the program wrote to stderr in all
 * @param stdoutSpill   the file with all of stdout when it was longer than the bound, else null
 * @param stderrSpill   the file with all of stderr when it was longer than the bound, else null
 * @param durationNanos wall time from start to exit
 * @param gpus          the GPU devices the task held (given to the program as
 *                      {@code CUDA_VISIBLE_DEVICES}); empty when none
 * @param worker        the worker that ran it; empty when it was not run by a worker
 */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr,
                            long stdoutBytes, long stderrBytes, Path stdoutSpill, Path stderrSpill,
                            long durationNanos, List<Integer> gpus, String worker) {
    public CommandResult {
        argv = List.copyOf(argv);
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        gpus = List.copyOf(gpus);
        worker = worker == null ? "" : worker;
    }

    /** True when the program exited with 0. */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** True when stdout was longer than the bound: {@link #stdout()} is its head, the spill file has it all. */
    public boolean stdoutTruncated() {
        return stdoutSpill != null;
    }

    /** True when stderr was longer than the bound: {@link #stderr()} is its head, the spill file has it all. */
    public boolean stderrTruncated() {
        return stderrSpill != null;
    }

    /**
     * The last {@code lines} lines of stderr, for an error message. When stderr was spilled and the
     * spill file is readable here (the same machine), they come from the file's end; otherwise from
     * the part kept in memory.
     */
    public String stderrTail(int lines) {
        if (lines < 0) {
            throw new IllegalArgumentException("lines must be >= 0, got " + lines);
        }
        String text = stderr;
        if (stderrSpill != null && Files.isReadable(stderrSpill)) {
            try (RandomAccessFile f = new RandomAccessFile(stderrSpill.toFile(), "r")) {
                long from = Math.max(0, f.length() - 65536);
                byte[] b = new byte[(int) (f.length() - from)];
                f.seek(from);
                f.readFully(b);
                text = new String(b, StandardCharsets.UTF_8);
            } catch (IOException e) {
                // the head in memory is the best there is
            }
        }
        return lastLines(text, lines);
    }

    static String lastLines(String text, int lines) {
        if (lines == 0 || text.isEmpty()) {
            return "";
        }
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        int at = t.length();
        for (int i = 0; i < lines; i++) {
            at = t.lastIndexOf('\n', at - 1);
            if (at < 0) {
                return t;
            }
        }
        return t.substring(at + 1);
    }

    @Override
    public String toString() {
        return "CommandResult{argv=" + argv + ", exitCode=" + exitCode + ", stdout=" + abbreviate(stdout, stdoutBytes)
                + ", stderr=" + abbreviate(stderr, stderrBytes) + (stdoutSpill != null ? ", stdoutSpill=" + stdoutSpill : "")
                + (stderrSpill != null ? ", stderrSpill=" + stderrSpill : "") + ", durationMs=" + durationNanos / 1_000_000
                + (gpus.isEmpty() ? "" : ", gpus=" + gpus) + (worker.isEmpty() ? "" : ", worker=" + worker) + "}";
    }

    private static String abbreviate(String s, long bytes) {
        return s.length() <= 200 ? "'" + s + "'" : "'" + s.substring(0, 200) + "…' (" + bytes + " bytes)";
    }
}
