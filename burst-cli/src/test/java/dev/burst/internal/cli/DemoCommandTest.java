package dev.burst.internal.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCommandTest {

    /** Runs the CLI with stdout and stderr captured; returns {exit code, stdout, stderr}. */
    private static Object[] run(String... args) {
        return CapturedCli.run(args);
    }

    @Test
    void demoPrintsResultWallTimeCpuSecondsSpeedupAndEfficiency() {
        Object[] r = run("demo", "--cpu-seconds", "1", "--workers", "2", "--no-progress");
        String out = (String) r[1];
        assertThat(r[0]).as(out + r[2]).isEqualTo(0);
        Matcher pi = Pattern.compile("pi ~ (\\d\\.\\d+)").matcher(out);
        assertThat(pi.find()).as(out).isTrue();
        assertThat(Double.parseDouble(pi.group(1))).isCloseTo(Math.PI, org.assertj.core.data.Offset.offset(0.01));
        assertThat(out).contains("wall time:", "CPU-seconds", "speedup:", "efficiency:");
        // Either a speedup the two workers can give, or none, with the raw figures: never more.
        Matcher speedup = Pattern.compile("speedup:\\s+(\\d+\\.\\d+)x over one core").matcher(out);
        if (speedup.find()) {
            assertThat(Double.parseDouble(speedup.group(1))).as(out).isLessThanOrEqualTo(2 * 1.05);
        } else {
            assertThat(out).contains("speedup:     not shown:", "the one-core baseline was disturbed. Raw figures:");
        }
        Matcher eff = Pattern.compile("efficiency:\\s+(\\d+\\.\\d+)").matcher(out);
        assertThat(eff.find()).isTrue();
        assertThat(Double.parseDouble(eff.group(1))).isBetween(0.0, 1.0);
        Matcher tasks = Pattern.compile("\\((\\d+) tasks\\)").matcher(out);
        assertThat(tasks.find()).isTrue();
        assertThat(Integer.parseInt(tasks.group(1))).isGreaterThanOrEqualTo(8);

        // the report outlives the cluster and its dashboard: figures, a task stream with a time axis, rows, a legend
        Matcher report = Pattern.compile("report:\\s+(file:\\S+\\.html)").matcher(out);
        assertThat(report.find()).as(out).isTrue();
        java.nio.file.Path file = java.nio.file.Path.of(java.net.URI.create(report.group(1)));
        assertThat(file).startsWith(dev.burst.BurstDirectories.fromEnvironment().reports());
        String html;
        try {
            html = java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(html).contains("<th>efficiency</th><td>" + eff.group(1)).contains("aria-label=\"task stream\"")
                .contains(">0 s</text>").contains("-worker-1</text>").contains("-worker-2</text>")
                .contains("</i>monte-carlo-pi</span>");
        assertThat(html.split("<rect ", -1)).hasSize(Integer.parseInt(tasks.group(1)) + 1);
        // the tasks carry the demo's name, not the lambda's (call.lambda1)
        assertThat(html).doesNotContain("lambda");
    }

    @Test
    void aBaselineSharingTheCpuIsSeenAsDisturbed() throws Exception {
        DemoCommand.Baseline quiet = DemoCommand.Baseline.measure(2, 2_000_000);
        assertThat(quiet.secondsPerTask()).isPositive();
        // More spinning threads than cores: the baseline's thread gets the CPU part of the time only.
        int spinners = Runtime.getRuntime().availableProcessors() + 1;
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch spinning = new java.util.concurrent.CountDownLatch(spinners);
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < spinners; i++) {
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                spinning.countDown();
                long x = 0;
                while (!stop.get()) {
                    x += System.nanoTime() & 1;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }));
        }
        try {
            spinning.await();
            DemoCommand.Baseline busy = DemoCommand.Baseline.measure(2, 20_000_000);
            assertThat(busy.disturbed()).as("cpu share %.2f", busy.cpuShare()).isTrue();
            assertThat(busy.cpuShare()).isLessThan(0.95);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    @Test
    void badOptionsAreNamed() {
        Object[] r = run("demo", "--cpu-seconds", "-3");
        assertThat(r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("--cpu-seconds must be a number > 0, got -3.0");
        r = run("demo", "--workers", "0");
        assertThat(r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("--workers must be >= 1, got 0");
        r = run("demo", "--workers", "many");
        assertThat(r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("--workers").contains("many");
    }
}
