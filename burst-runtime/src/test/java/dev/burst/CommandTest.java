package dev.burst;

import dev.burst.internal.protocol.ObjectCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link Command} run directly (no cluster): exit codes, input, environment, output bounds, cancellation. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandTest {
    @TempDir
    Path temp;

    private static Command sh(String script) {
        return Command.of("/bin/sh", "-c", script);
    }

    @Test
    void runsAProgramAndKeepsItsOutput() throws Exception {
        CommandResult r = sh("echo out; echo err >&2; exit 0").call();
        assertThat(r.succeeded()).isTrue();
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.stdoutBytes()).isEqualTo(4);
        assertThat(r.stdoutSpill()).isNull();
        assertThat(r.stdoutTruncated()).isFalse();
        assertThat(r.argv()).containsExactly("/bin/sh", "-c", "echo out; echo err >&2; exit 0");
        assertThat(r.gpus()).isEmpty();
        assertThat(r.worker()).isEmpty(); // not run by a worker
        assertThat(r.durationNanos()).isPositive();
    }

    @Test
    void aNonZeroExitIsAResultNotAnError() throws Exception {
        CommandResult r = sh("echo failing >&2; exit 7").call();
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.succeeded()).isFalse();
        assertThat(r.stderrTail(1)).isEqualTo("failing");
    }

    @Test
    void feedsStdin() throws Exception {
        CommandResult r = Command.builder("cat").stdin("hello\nwörld\n").build().call();
        assertThat(r.stdout()).isEqualTo("hello\nwörld\n");
        byte[] bytes = {1, 2, 3, 0, (byte) 255};
        assertThat(Command.builder("wc", "-c").stdin(bytes).build().call().stdout().strip()).isEqualTo("5");
        // without stdin the program reads end-of-input at once
        assertThat(Command.of("cat").call().stdout()).isEmpty();
    }

    @Test
    void aProgramThatIgnoresLargeInputDoesNotHang() throws Exception {
        CommandResult r = Command.builder("/bin/sh", "-c", "exit 3").stdin(new byte[10 << 20]).build().call();
        assertThat(r.exitCode()).isEqualTo(3);
    }

    @Test
    void setsEnvironmentAndDirectory() throws Exception {
        CommandResult r = Command.builder("/bin/sh", "-c", "echo $GREETING $OTHER; pwd")
                .env("GREETING", "hi").env(Map.of("OTHER", "there")).directory(temp).build().call();
        assertThat(r.stdout()).isEqualTo("hi there\n" + temp.toRealPath() + "\n");
        // the worker's environment is kept
        assertThat(sh("echo $PATH").call().stdout().strip()).isEqualTo(System.getenv("PATH"));
    }

    @Test
    void aMissingDirectoryIsAClearError() {
        Command c = Command.builder("pwd").directory(temp.resolve("nope")).build();
        assertThatThrownBy(c::call).hasMessageContaining("nope").hasMessageContaining("working directory");
    }

    @Test
    void aMissingProgramExitsWith127() throws Exception {
        CommandResult r = Command.of("no-such-program-burst-test", "x").call();
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.stderr()).isEqualTo("command not found: no-such-program-burst-test\n");
        assertThat(r.succeeded()).isFalse();
    }

    @Test
    void aProgramThatIsNotExecutableExitsWith126() throws Exception {
        Path script = Files.writeString(temp.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        CommandResult r = Command.of(script.toString()).call();
        assertThat(r.exitCode()).isEqualTo(126);
        assertThat(r.stderr()).contains("permission denied");
    }

    @Test
    void outputBeyondTheBoundIsSpilledWhole() throws Exception {
        Path out = temp.resolve("output");
        // stdout and stderr both large and written together: read concurrently, no deadlock
        CommandResult r = Command.builder("/bin/sh", "-c",
                        "(seq 1 400000 >&2) & seq 1 500000; wait")
                .maxOutputBytes(1000).outputDirectory(out).build().call();
        assertThat(r.exitCode()).isZero();
        String all = new StringBuilder().append(String.join("\n", java.util.stream.IntStream.rangeClosed(1, 500000)
                .mapToObj(String::valueOf).toList())).append('\n').toString();
        assertThat(r.stdoutBytes()).isEqualTo(all.length());
        assertThat(r.stdout()).isEqualTo(all.substring(0, 1000));
        assertThat(r.stdoutTruncated()).isTrue();
        assertThat(r.stdoutSpill()).isNotNull().startsWith(out);
        assertThat(Files.readString(r.stdoutSpill())).isEqualTo(all);
        assertThat(r.stderrSpill()).isNotNull();
        assertThat(Files.size(r.stderrSpill())).isEqualTo(r.stderrBytes());
        assertThat(r.stderr()).hasSize(1000).startsWith("1\n2\n3\n");
        assertThat(r.stderrTail(2)).isEqualTo("399999\n400000"); // from the spill file's end
        assertThat(r.toString()).hasSizeLessThan(1000);
    }

    @Test
    void outputWithinTheBoundIsNotSpilled() throws Exception {
        Path out = temp.resolve("output");
        CommandResult r = Command.builder("/bin/sh", "-c", "head -c 1000 /dev/zero")
                .maxOutputBytes(1000).outputDirectory(out).build().call();
        assertThat(r.stdoutBytes()).isEqualTo(1000);
        assertThat(r.stdoutSpill()).isNull();
        assertThat(out).doesNotExist();
    }

    @Test
    void theDefaultBoundIsOneMebibyte() throws Exception {
        CommandResult r = sh("head -c 3000000 /dev/zero | tr '\\0' a").call();
        try {
            assertThat(r.stdout()).hasSize(Command.DEFAULT_MAX_OUTPUT_BYTES);
            assertThat(r.stdoutBytes()).isEqualTo(3_000_000);
            assertThat(r.stdoutSpill().getParent().getFileName().toString()).startsWith("burst-output-");
            assertThat(Files.size(r.stdoutSpill())).isEqualTo(3_000_000);
        } finally {
            Files.deleteIfExists(r.stdoutSpill());
        }
    }

    @Test
    void interruptionStopsTheProgramAndItsChildren() throws Exception {
        Path pidFile = temp.resolve("pid");
        Command c = sh("sleep 60 & echo $! > " + pidFile + "; wait");
        CompletableFuture<Object> running = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                running.complete(c.call());
            } catch (Throwable e) {
                running.complete(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(ProcessHandle.of(pid)).isPresent();
        t.interrupt();
        assertThat(running.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void badInputIsRefusedNamingTheProblem() {
        assertThatThrownBy(() -> Command.of()).hasMessageContaining("argv is empty");
        assertThatThrownBy(() -> Command.of("  ")).hasMessageContaining("must not be blank");
        assertThatThrownBy(() -> Command.of("ls", null)).hasMessageContaining("argument 1");
        assertThatThrownBy(() -> Command.builder((List<String>) null)).hasMessageContaining("argv must not be null");
        assertThatThrownBy(() -> Command.builder("ls").env("A=B", "x")).hasMessageContaining("'A=B'");
        assertThatThrownBy(() -> Command.builder("ls").env("A", null)).hasMessageContaining("A has a null value");
        assertThatThrownBy(() -> Command.builder("ls").maxOutputBytes(-1)).hasMessageContaining("got -1");
        assertThatThrownBy(() -> Command.builder("ls").directory(" ")).hasMessageContaining("directory must not be blank");
        assertThatThrownBy(() -> Command.builder("ls").stdin((String) null)).hasMessageContaining("stdin");
        assertThatThrownBy(() -> new CommandResult(List.of("x"), 0, "", "", 0, 0, null, null, 0, List.of(), "").stderrTail(-1))
                .hasMessageContaining("got -1");
    }

    @Test
    void isAValueThatTravels() throws Exception {
        Command c = Command.builder("/bin/echo", "hi").env("A", "1").directory("/tmp").stdin("in").maxOutputBytes(10)
                .outputDirectory(Path.of("/tmp/x")).build();
        assertThat(c).isEqualTo(Command.builder("/bin/echo", "hi").env("A", "1").directory("/tmp").stdin("in")
                .maxOutputBytes(10).outputDirectory(Path.of("/tmp/x")).build());
        assertThat(c.toString()).contains("/bin/echo").contains("A");
        ObjectCodec codec = new ObjectCodec(CommandTest.class.getClassLoader());
        assertThat(codec.decode(codec.encode(c))).isEqualTo(c);
        CommandResult r = new CommandResult(List.of("x"), 1, "o", "e", 1, 1, Path.of("/tmp/a.stdout"), null, 5, List.of(0, 1), "w");
        assertThat(codec.decode(codec.encode(r))).isEqualTo(r);
    }

    @Test
    void stderrTailTakesTheLastLines() {
        assertThat(CommandResult.lastLines("a\nb\nc\n", 2)).isEqualTo("b\nc");
        assertThat(CommandResult.lastLines("a\nb\nc", 5)).isEqualTo("a\nb\nc");
        assertThat(CommandResult.lastLines("a\nb\nc", 0)).isEmpty();
        assertThat(CommandResult.lastLines("", 3)).isEmpty();
    }

    @Test
    void runsAsATaskOnAnEmbeddedCluster() throws ExecutionException, InterruptedException {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).build();
             Client client = Client.connect(cluster)) {
            CommandResult r = client.submit(Command.of("/bin/sh", "-c", "echo \"[${CUDA_VISIBLE_DEVICES-unset}]\"")).get();
            assertThat(r.stdout()).isEqualTo("[" + (System.getenv("CUDA_VISIBLE_DEVICES") == null ? "unset"
                    : System.getenv("CUDA_VISIBLE_DEVICES")) + "]\n"); // a worker without GPUs leaves it alone
            assertThat(r.worker()).isNotEmpty();
        }
    }
}
