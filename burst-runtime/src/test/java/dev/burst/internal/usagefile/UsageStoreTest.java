package dev.burst.internal.usagefile;

import dev.burst.internal.usage.UsageTotals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsageStoreTest {
    @TempDir
    Path dir;

    private static UsageTotals run(String user, String job, long tasks) {
        return new UsageTotals(user, "local", job, 1_700_000_000_000L + tasks, 2.5, 4, 4, 10.0, 9.25, 1.0, 0.5,
                8.75, tasks, 4096);
    }

    @Test
    void noFileMeansNoRuns() throws IOException {
        UsageStore store = UsageStore.inDirectory(dir.resolve("usage"));
        UsageHistory h = store.read();
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.skippedLines()).isZero();
        assertThat(h.file()).isEqualTo(dir.resolve("usage").resolve("ledger.jsonl"));
        assertThat(Files.exists(dir.resolve("usage"))).isFalse(); // reading creates nothing
    }

    @Test
    void appendedRunsReadBackExactlyNewestFirst() throws IOException {
        UsageStore store = UsageStore.inDirectory(dir.resolve("a").resolve("usage"));
        UsageTotals first = run("alice", "demo", 1);
        UsageTotals second = run("bob", "map", 2);
        UsageTotals third = new UsageTotals("alice", "gpu-box", "train", 5, 0.1 + 0.2, 1, 1, 1.0 / 3, 0.1, 0, 0, 0, 0, 0);
        store.append(first);
        store.append(second);
        store.append(third);
        assertThat(store.read().runsNewestFirst()).containsExactly(third, second, first);
        List<String> lines = Files.readAllLines(store.file());
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("{\"format\":1,\"user\":\"alice\"").contains("\"coreSecondsBusy\":9.25");
    }

    @Test
    void corruptLinesAreSkippedAndCounted() throws IOException {
        UsageStore store = UsageStore.inDirectory(dir);
        store.append(run("alice", "one", 1));
        Files.writeString(store.file(), String.join("\n",
                "not json at all",
                "{\"format\":1,\"user\":\"x\"}", // valid JSON, fields missing
                "{\"format\":1,\"user\":null,\"cluster\":\"c\",\"job\":\"j\",\"startedAtEpochMillis\":0,\"wallSeconds\":1,"
                        + "\"workersStarted\":0,\"peakWorkers\":0,\"coreSecondsAllocated\":0,\"coreSecondsBusy\":0,"
                        + "\"gpuSecondsAllocated\":0,\"gpuSecondsBusy\":0,\"cpuSeconds\":0,\"tasks\":0,\"bytesSpilled\":0}",
                "{\"format\":1,\"user\":\"u\",\"cluster\":\"c\",\"job\":\"j\",\"startedAtEpochMillis\":0,\"wallSeconds\":-1,"
                        + "\"workersStarted\":0,\"peakWorkers\":0,\"coreSecondsAllocated\":0,\"coreSecondsBusy\":0,"
                        + "\"gpuSecondsAllocated\":0,\"gpuSecondsBusy\":0,\"cpuSeconds\":0,\"tasks\":0,\"bytesSpilled\":0}",
                "",
                "{\"format\":1,\"user\":\"u\",\"cluster\":\"c\",\"job\":\"newer\",\"startedAtEpochMillis\":0,\"wallSeconds\":1,"
                        + "\"workersStarted\":0,\"peakWorkers\":0,\"coreSecondsAllocated\":0,\"coreSecondsBusy\":0,"
                        + "\"gpuSecondsAllocated\":0,\"gpuSecondsBusy\":0,\"cpuSeconds\":0,\"tasks\":0,\"bytesSpilled\":0,"
                        + "\"someFutureField\":[1,2]}",
                "") , StandardOpenOption.APPEND);
        store.append(run("bob", "two", 2));
        UsageHistory h = store.read();
        assertThat(h.skippedLines()).isEqualTo(4);
        assertThat(h.runsNewestFirst()).extracting(UsageTotals::job).containsExactly("two", "newer", "one");
    }

    @Test
    void aLineCutOffByACrashCostsOnlyThatLine() throws IOException {
        UsageStore store = UsageStore.inDirectory(dir);
        store.append(run("alice", "one", 1));
        Files.writeString(store.file(), "{\"format\":1,\"user\":\"al", StandardOpenOption.APPEND); // no newline
        store.append(run("alice", "two", 2));
        UsageHistory h = store.read();
        assertThat(h.runsNewestFirst()).extracting(UsageTotals::job).containsExactly("two", "one");
        assertThat(h.skippedLines()).isEqualTo(1);
    }

    @Test
    void concurrentAppendsFromManyThreadsAndStoresLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                UsageStore store = UsageStore.inDirectory(dir); // a store per thread, like separate runs
                done.add(pool.submit((Callable<Void>) () -> {
                    for (int i = 0; i < perThread; i++) {
                        store.append(run("user" + id, "job" + i, i));
                        if (i % 10 == 0) {
                            store.read(); // readers interleave with writers
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        UsageHistory h = UsageStore.inDirectory(dir).read();
        assertThat(h.skippedLines()).isZero();
        assertThat(h.runsNewestFirst()).hasSize(threads * perThread);
        for (int t = 0; t < threads; t++) {
            String user = "user" + t;
            assertThat(h.runsNewestFirst().stream().filter(r -> r.user().equals(user))).hasSize(perThread);
        }
    }

    @Test
    void concurrentAppendsFromAnotherProcessLoseNothing() throws Exception {
        // A second JVM appends through the same class while this one does: the FileLock is what keeps them apart.
        Path file = dir.resolve("ledger.jsonl");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                UsageStoreAppender.class.getName(), file.toString(), "other", "100")
                .redirectErrorStream(true).redirectOutput(dir.resolve("other.log").toFile()).start();
        UsageStore store = UsageStore.ofFile(file);
        for (int i = 0; i < 100; i++) {
            store.append(run("me", "job" + i, i));
        }
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).as(Files.readString(dir.resolve("other.log"))).isZero();
        UsageHistory h = store.read();
        assertThat(h.skippedLines()).isZero();
        assertThat(h.runsNewestFirst()).hasSize(200);
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).doesNotContain("}{");
    }

    @Test
    void defaultDirectoryFollowsBurstHomeElseTheUsersHome() {
        assertThat(UsageStore.defaultDirectory(Map.of("BURST_HOME", "/opt/burst"), "/home/a"))
                .isEqualTo(Path.of("/opt/burst/usage"));
        assertThat(UsageStore.defaultDirectory(Map.of("BURST_HOME", " "), "/home/a"))
                .isEqualTo(Path.of("/home/a/.burst/usage"));
        assertThat(UsageStore.defaultDirectory(Map.of(), "/home/a")).isEqualTo(Path.of("/home/a/.burst/usage"));
        assertThatThrownBy(() -> UsageStore.defaultDirectory(Map.of(), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("set BURST_HOME");
        assertThat(UsageStore.atDefaultLocation().file().getFileName()).hasToString("ledger.jsonl");
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> UsageStore.inDirectory(null)).hasMessage("usageDirectory");
        assertThatThrownBy(() -> UsageStore.ofFile(Path.of("/"))).hasMessageContaining("usage file must name a file");
        assertThatThrownBy(() -> UsageStore.inDirectory(dir).append(null)).hasMessage("run");
    }
}
