package dev.burst.internal.cli;

import dev.burst.Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's by-hand cluster for real: {@code burst scheduler} and {@code burst worker} as
 * separate processes, a client connecting with the token file, and both stopped by a signal.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServeCommandsTest {
    @TempDir
    Path tmp;

    /** A {@code burst} process whose output lines are collected as they come. */
    private record Cli(Process process, BlockingQueue<String> lines) {
        static Cli start(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), BurstCli.class.getName()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            return new Cli(p, lines);
        }

        /** The first line containing {@code text}, waiting up to {@code seconds}; fails with what was printed. */
        String await(String text, int seconds) throws InterruptedException {
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.append(line).append('\n');
                    if (line.contains(text)) {
                        return line;
                    }
                }
            }
            throw new AssertionError("no line with '" + text + "' within " + seconds + " s; printed:\n" + seen);
        }
    }

    @Test
    void aSchedulerAndAWorkerStartedByHandServeAClient() throws Exception {
        Cli scheduler = Cli.start("scheduler", "--port", "0", "--credentials-dir", tmp.resolve("creds").toString());
        Cli worker = null;
        try {
            String address = scheduler.await("scheduler at ", 60).replaceAll(".*scheduler at ", "").trim();
            String tokenFile = scheduler.await("token file:", 10).replaceAll(".*token file:\\s*", "").trim();
            assertThat(address).startsWith("burst://127.0.0.1:");
            worker = Cli.start("worker", "--scheduler", address, "--threads", "2", "--memory", "256m",
                    "--token-file", tokenFile);
            worker.await("connected to " + address, 60);
            try (Client client = Client.connect(address, Path.of(tokenFile))) {
                assertThat(client.gather(client.map(x -> x * x, List.of(1, 2, 3, 4)), Duration.ofSeconds(60)))
                        .containsExactly(1, 4, 9, 16);
            }
        } finally {
            // Ctrl-C, as a user stops them: both exit (the worker when its scheduler goes, at the latest)
            scheduler.process().destroy();
            assertThat(scheduler.process().waitFor(30, TimeUnit.SECONDS)).as("scheduler stopped").isTrue();
            if (worker != null) {
                assertThat(worker.process().waitFor(30, TimeUnit.SECONDS)).as("worker stopped with its scheduler").isTrue();
            }
        }
    }

    @Test
    void aWorkerWithABadSchedulerAddressOrNoTokenFileSaysSo() throws Exception {
        Cli bad = Cli.start("worker", "--scheduler", "not an address");
        bad.await("burst://host:port", 60);
        assertThat(bad.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.process().exitValue()).isNotZero();

        Cli noToken = Cli.start("worker", "--scheduler", "burst://127.0.0.1:1", "--token-file", tmp.resolve("none").toString());
        noToken.await("none", 60);
        assertThat(noToken.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(noToken.process().exitValue()).isNotZero();
    }
}
