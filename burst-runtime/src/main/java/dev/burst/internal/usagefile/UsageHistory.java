package dev.burst.internal.usagefile;

import dev.burst.internal.usage.UsageTotals;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link UsageStore#read()} found: the recorded runs, newest first, and how many lines of the file
 * could not be read (a run cut off by a crash while writing, a hand edit).
 *
 * @param file                 the file that was read
 * @param runsNewestFirst      the runs, the one recorded last first
 * @param skippedLines         lines that were not a valid run record and were left out
 */
public record UsageHistory(Path file, List<UsageTotals> runsNewestFirst, int skippedLines) {

    public UsageHistory {
        Objects.requireNonNull(file, "file");
        runsNewestFirst = List.copyOf(runsNewestFirst);
        if (skippedLines < 0) {
            throw new IllegalArgumentException("skippedLines must be >= 0, got " + skippedLines);
        }
    }

    /** True when no run is recorded (the file may not exist yet). */
    public boolean isEmpty() {
        return runsNewestFirst.isEmpty();
    }
}
