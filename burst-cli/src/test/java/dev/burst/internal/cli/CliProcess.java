package dev.burst.internal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code bin/burst} as a process of its own, with an environment of the test's (tokens, Burst's home). */
final class CliProcess {
    private CliProcess() {
    }

    record Result(int exit, String out, String err) {
    }

    static ProcessBuilder builder(Map<String, String> env, Path logDir, String name, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.redirectOutput(logDir.resolve(name + ".out").toFile()).redirectError(logDir.resolve(name + ".err").toFile());
        return pb;
    }

    /** Runs {@code burst args...} to its end (at most 3 minutes). */
    static Result run(Map<String, String> env, Path logDir, String... args) throws IOException, InterruptedException {
        String name = "burst-" + System.nanoTime();
        Process p = builder(env, logDir, name, BurstCli.class, args).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("burst " + String.join(" ", args) + " did not end within 3 minutes");
        }
        return new Result(p.exitValue(), Files.readString(logDir.resolve(name + ".out"), StandardCharsets.UTF_8),
                Files.readString(logDir.resolve(name + ".err"), StandardCharsets.UTF_8));
    }
}
