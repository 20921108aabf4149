package dev.burst.internal.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How every command prints a moment: {@code 2026-12-08 14:03:27}, to the second, in the machine's
 * time zone, so that the times of {@code usage}, {@code cluster list} and {@code gateway user list}
 * line up and compare at a glance (they used to print three formats, one with nanoseconds).
 */
final class CliTime {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private CliTime() {
    }

    /** {@code at} in the machine's zone, to the second; empty for null. */
    static String format(Instant at) {
        return at == null ? "" : WHEN.format(at.atZone(ZoneId.systemDefault()));
    }
}
