package dev.burst.internal.cli;

import dev.burst.internal.usage.UsageTotals;
import dev.burst.internal.usagefile.UsageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class UsageCommandTest {
    @TempDir
    Path dir;

    /** Runs the CLI with stdout and stderr captured; returns {exit code, stdout, stderr}. */
    private static Object[] run(String... args) {
        return CapturedCli.run(args);
    }

    private static UsageTotals run(String user, String job, double allocated, double busy, long tasks) {
        return new UsageTotals(user, "local", job, 1_700_000_000_000L, 3.5, 4, 4, allocated, busy, 0, 0, busy * 0.9,
                tasks, 2048);
    }

    @Test
    void emptyStoreSaysSoAndWhere() {
        Path file = dir.resolve("usage").resolve("ledger.jsonl");
        Object[] r = run("usage", "--file", file.toString());
        assertThat(r[0]).as((String) r[2]).isEqualTo(0);
        assertThat((String) r[1]).contains("no runs recorded yet in " + file);
    }

    @Test
    void showsRecentRunsNewestFirstWithTotalsPerUser() throws IOException {
        UsageStore store = UsageStore.inDirectory(dir);
        store.append(run("alice", "demo", 40, 36, 160));
        store.append(run("bob", "map", 10, 5, 7));
        store.append(run("alice", "train", 20, 19, 40));
        Object[] r = run("usage", "--file", store.file().toString());
        String out = (String) r[1];
        assertThat(r[0]).as(out + r[2]).isEqualTo(0);
        assertThat(out).contains("3 runs in " + store.file())
                .contains("when", "user", "cluster", "job", "workers", "wall s", "alloc core-s", "busy core-s",
                        "alloc GPU-s", "tasks", "spilled", "efficiency");
        String[] lines = out.split("\\R");
        int header = indexOf(lines, "alloc core-s");
        assertThat(lines[header + 1]).contains("alice", "train", "20.0", "19.0", "40", "2.0 KiB", "0.950");
        assertThat(lines[header + 2]).contains("bob", "map", "10.0", "5.0", "0.500");
        assertThat(lines[header + 3]).contains("alice", "demo", "40.0", "36.0", "160", "0.900");
        assertThat(out).contains("totals per user over the 3 runs shown:")
                .contains("alice: 2 runs, 60.0 core-s allocated, 55.0 core-s busy, efficiency 0.917")
                .contains("bob: 1 run, 10.0 core-s allocated, 5.0 core-s busy, efficiency 0.500");
        // Columns line up: every row of the table is as wide as the header or narrower.
        assertThat(lines[header + 1].indexOf("local")).isEqualTo(lines[header].indexOf("cluster"));
    }

    @Test
    void lastAndUserFilter() throws IOException {
        UsageStore store = UsageStore.inDirectory(dir);
        for (int i = 0; i < 5; i++) {
            store.append(run("alice", "job" + i, 10, 5, i));
            store.append(run("bob", "other" + i, 10, 5, i));
        }
        String out = (String) run("usage", "--file", store.file().toString(), "--last", "2", "--user", "alice")[1];
        assertThat(out).contains("the last 2 of 5 runs of user alice in " + store.file() + ", newest first").contains("job4", "job3")
                .doesNotContain("job2", "bob", "other");
        assertThat(out).contains("alice: 2 runs, 20.0 core-s allocated");

        out = (String) run("usage", "--file", store.file().toString(), "--user", "carol")[1];
        assertThat(out).contains("no runs of user carol in " + store.file() + " (10 runs of other users)");
    }

    @Test
    void unreadableLinesAreReportedNotFatal() throws IOException {
        UsageStore store = UsageStore.inDirectory(dir);
        store.append(run("alice", "demo", 4, 2, 1));
        Files.writeString(store.file(), "garbage\n", StandardOpenOption.APPEND);
        Object[] r = run("usage", "--file", store.file().toString());
        assertThat(r[0]).isEqualTo(0);
        assertThat((String) r[1]).contains("demo").contains("note: skipped 1 unreadable line in " + store.file());
    }

    @Test
    void badOptionsAreNamed() {
        Object[] r = run("usage", "--last", "0", "--file", dir.resolve("x.jsonl").toString());
        assertThat(r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("--last must be >= 1, got 0");
        r = run("usage", "--user", " ", "--file", dir.resolve("x.jsonl").toString());
        assertThat(r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("--user must not be blank");
        r = run("usage", "--file", dir.toString()); // a directory, not a file
        assertThat(r[0]).isEqualTo(1);
        assertThat((String) r[2]).startsWith("burst usage: cannot read usage ledger " + dir);
    }

    private static int indexOf(String[] lines, String text) {
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line contains " + text);
    }
}
