package dev.burst.internal.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code burst map} stopped by a signal (SIGTERM, what Ctrl-C's shutdown path does too) while its
 * commands run: it still prints its report, and the time the commands held their cores is busy time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MapSignalTest {
    @TempDir
    Path tmp;

    @Test
    void aSignalledRunReportsTheBusyTimeOfTheCommandsItStopped() throws Exception {
        Path markers = Files.createDirectories(tmp.resolve("markers"));
        Path errFile = tmp.resolve("err.txt");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), BurstCli.class.getName(),
                "map", "--no-progress", "--processes", "--max-workers", "2", "--", "sh", "-c",
                "touch " + markers + "/$0; exec sleep 60", "{}", ":::", "a", "b"));
        Process p = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(errFile.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> listed(markers) == 2);
            long running = System.nanoTime();
            Thread.sleep(3000); // not a wait for a condition: the commands hold their cores this long, which is what is measured
            double heldAtLeast = 2 * (System.nanoTime() - running) / 1e9;
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("burst map exits after the signal").isTrue();
            String err = Files.readString(errFile, StandardCharsets.UTF_8);
            assertThat(err).contains("stopped by a signal; 2 commands had not finished", "2 commands in", "0 succeeded, 2 failed");
            Matcher m = Pattern.compile("([0-9.]+) core-s busy").matcher(err);
            assertThat(m.find()).as(err).isTrue();
            assertThat(Double.parseDouble(m.group(1))).as("busy core-seconds of the stopped commands")
                    .isGreaterThanOrEqualTo(heldAtLeast * 0.9);
        } finally {
            p.destroyForcibly();
        }
    }

    private static long listed(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }
}
