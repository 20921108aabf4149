package dev.burst.internal.usagefile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.burst.internal.usage.UsageTotals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The local record of finished runs: one JSON object per line in {@code ledger.jsonl}, under
 * {@code $BURST_HOME/usage/} or, without {@code BURST_HOME}, {@code ~/.burst/usage/}. {@code burst usage}
 * reads it; the gateway will keep the same records in a database.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li>Several runs may finish at once, in one JVM or in several, so an append writes its whole line
 *       in one write to a file opened with {@code APPEND}, holding an exclusive {@link FileLock}
 *       (between processes) and a JVM-wide monitor (a {@code FileLock} is held by the whole JVM and
 *       an overlapping one from another thread throws instead of waiting). Reads take a shared lock.</li>
 *   <li>A writer that crashed mid-line leaves a fragment without a newline; the next append first ends
 *       that line, so the fragment costs one unreadable line and never the next record.</li>
 *   <li>Reading never fails on a bad line: it is skipped, counted in {@link UsageHistory#skippedLines()}
 *       and logged, since one corrupt record must not hide a user's whole history.</li>
 *   <li>The line format is this class's own record, not {@link UsageTotals}' components, so renaming a
 *       field in the model cannot silently change the file; unknown fields are ignored so that newer
 *       writers' lines still read.</li>
 * </ul>
 */
public final class UsageStore {
    /** Name of the ledger file inside the usage directory. */
    public static final String FILE_NAME = "ledger.jsonl";
    /** Environment variable naming Burst's home directory (default {@code ~/.burst}). */
    public static final String BURST_HOME_ENV = "BURST_HOME";

    private static final Logger log = LoggerFactory.getLogger(UsageStore.class);
    private static final int FORMAT = 1;
    /** Serializes this JVM's appends and reads; see the design note. */
    private static final Object IN_PROCESS = new Object();

    private final Path file;
    private final ObjectMapper json = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private UsageStore(Path file) {
        this.file = file;
    }

    /** The store in {@code usageDirectory/ledger.jsonl}. */
    public static UsageStore inDirectory(Path usageDirectory) {
        Objects.requireNonNull(usageDirectory, "usageDirectory");
        return new UsageStore(usageDirectory.resolve(FILE_NAME));
    }

    /** The store in exactly this file (for {@code burst usage --file} and tests). */
    public static UsageStore ofFile(Path file) {
        Objects.requireNonNull(file, "file");
        if (file.getFileName() == null) {
            throw new IllegalArgumentException("usage file must name a file, got " + file);
        }
        return new UsageStore(file);
    }

    /** The store of this user: {@code $BURST_HOME/usage/ledger.jsonl}, else {@code ~/.burst/usage/ledger.jsonl}. */
    public static UsageStore atDefaultLocation() {
        return inDirectory(dev.burst.BurstDirectories.fromEnvironment().usage());
    }

    /** The usage directory for this environment and home directory (apart so that tests need not set variables). */
    public static Path defaultDirectory(Map<String, String> environment, String userHome) {
        return dev.burst.BurstDirectories.from(environment, userHome).usage();
    }

    /** The ledger file (it may not exist yet). */
    public Path file() {
        return file;
    }

    /** Records a finished run: one line at the end of the file, created with its directory if needed. */
    public void append(UsageTotals run) throws IOException {
        Objects.requireNonNull(run, "run");
        byte[] line = (json.writeValueAsString(LedgerLine.of(run)) + "\n").getBytes(StandardCharsets.UTF_8);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            appendLine(line);
        } catch (IOException e) {
            throw new IOException("cannot append to usage ledger " + file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("try") // the lock is held by being open, not by being used
    private void appendLine(byte[] line) throws IOException {
        synchronized (IN_PROCESS) {
            // Closing any descriptor of a file drops the process's POSIX locks on it, so the reading
            // channel is opened before the lock is taken and closed only after it is released.
            try (FileChannel reading = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                try (FileChannel appending = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                     FileLock ignored = appending.lock()) {
                    ByteBuffer out = endsMidLine(reading) ? ByteBuffer.allocate(line.length + 1).put((byte) '\n')
                            .put(line).flip() : ByteBuffer.wrap(line);
                    while (out.hasRemaining()) {
                        appending.write(out);
                    }
                    appending.force(false); // usage is billing data; keep it over a machine crash
                }
            }
        }
    }

    /** The recorded runs, newest first; bad lines are skipped, counted and logged. No file yet: no runs. */
    @SuppressWarnings("try") // the lock is held by being open, not by being used
    public UsageHistory read() throws IOException {
        byte[] content;
        synchronized (IN_PROCESS) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                 FileLock ignored = channel.lock(0, Long.MAX_VALUE, true)) {
                InputStream in = Channels.newInputStream(channel); // closed with the channel
                content = in.readAllBytes();
            } catch (NoSuchFileException e) {
                return new UsageHistory(file, List.of(), 0);
            } catch (IOException e) {
                throw new IOException("cannot read usage ledger " + file + ": " + e.getMessage(), e);
            }
        }
        List<UsageTotals> runs = new ArrayList<>();
        int skipped = 0;
        String firstProblem = null;
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String text = lines[i].strip();
            if (text.isEmpty()) {
                continue;
            }
            try {
                runs.add(json.readValue(text, LedgerLine.class).toTotals());
            } catch (JsonProcessingException e) {
                skipped++;
                firstProblem = firstProblem != null ? firstProblem : "line " + (i + 1) + ": " + firstLineOf(e.getOriginalMessage());
            } catch (IllegalArgumentException | NullPointerException e) {
                // Valid JSON, impossible figures or a missing name: UsageTotals said which.
                skipped++;
                firstProblem = firstProblem != null ? firstProblem : "line " + (i + 1) + ": " + firstLineOf(e.getMessage());
            }
        }
        if (skipped > 0) {
            log.warn("{}: skipped {} unreadable line{} (first at {})", file, skipped, skipped == 1 ? "" : "s", firstProblem);
        }
        Collections.reverse(runs);
        return new UsageHistory(file, runs, skipped);
    }

    @Override
    public String toString() {
        return "UsageStore[" + file + "]";
    }

    private static boolean endsMidLine(FileChannel reading) throws IOException {
        long size = reading.size();
        if (size == 0) {
            return false;
        }
        ByteBuffer last = ByteBuffer.allocate(1);
        reading.read(last, size - 1);
        return last.get(0) != '\n';
    }

    private static String firstLineOf(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** One line of the file: the run's figures plus the format version. */
    record LedgerLine(int format, String user, String cluster, String job, long startedAtEpochMillis,
                      double wallSeconds, int workersStarted, int peakWorkers, double coreSecondsAllocated,
                      double coreSecondsBusy, double gpuSecondsAllocated, double gpuSecondsBusy, double cpuSeconds,
                      long tasks, long bytesSpilled) {

        static LedgerLine of(UsageTotals t) {
            return new LedgerLine(FORMAT, t.user(), t.cluster(), t.job(), t.startedAtEpochMillis(), t.wallSeconds(),
                    t.workersStarted(), t.peakWorkers(), t.coreSecondsAllocated(), t.coreSecondsBusy(),
                    t.gpuSecondsAllocated(), t.gpuSecondsBusy(), t.cpuSeconds(), t.tasks(), t.bytesSpilled());
        }

        UsageTotals toTotals() {
            return new UsageTotals(user, cluster, job, startedAtEpochMillis, wallSeconds, workersStarted, peakWorkers,
                    coreSecondsAllocated, coreSecondsBusy, gpuSecondsAllocated, gpuSecondsBusy, cpuSeconds, tasks,
                    bytesSpilled);
        }
    }
}
