package dev.burst.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/burst} itself, run by bash from a copy of the launcher beside a stand-in distribution and
 * a stand-in JDK whose {@code java} prints the environment it was started with. So the launcher's own
 * shell code is what is under test, without building anything: the user's {@code BURST_HOME} (where
 * Burst keeps its files) must reach the JVM untouched, whatever the launcher calls its install
 * directory.
 */
class LauncherScriptTest {
    private static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void theUsersBurstHomeReachesTheJvmUnchanged(@TempDir Path dir) throws Exception {
        Path install = standInInstall(dir.resolve("install"));
        Path jdk = standInJdk(dir.resolve("jdk"));
        Path userHome = Files.createDirectories(dir.resolve("my-burst-files"));

        ProcessBuilder pb = new ProcessBuilder("bash", install.resolve("bin/burst").toString(), "cluster", "list");
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("BURST_HOME", userHome.toString());
        pb.redirectErrorStream(true);
        String out = run(pb);

        assertThat(out).contains("BURST_HOME=" + userHome + "\n")
                .contains("ARGS=dev.burst.internal.cli.BurstCli cluster list\n");
    }

    @Test
    void withoutBurstHomeTheLauncherLeavesItUnset(@TempDir Path dir) throws Exception {
        Path install = standInInstall(dir.resolve("install"));
        Path jdk = standInJdk(dir.resolve("jdk"));

        ProcessBuilder pb = new ProcessBuilder("bash", install.resolve("bin/burst").toString(), "usage");
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().remove("BURST_HOME");
        pb.redirectErrorStream(true);

        assertThat(run(pb)).contains("BURST_HOME=<unset>\n");
    }

    /** bin/burst and bin/lib/ copied, with a built-looking burst-cli/target (a jar and lib/), and no sources: no build. */
    private static Path standInInstall(Path install) throws IOException {
        Files.createDirectories(install.resolve("bin/lib"));
        Files.copy(REPOSITORY.resolve("bin/burst"), install.resolve("bin/burst"));
        Files.copy(REPOSITORY.resolve("bin/lib/find-jdk.sh"), install.resolve("bin/lib/find-jdk.sh"));
        Path target = Files.createDirectories(install.resolve("burst-cli/target/lib"));
        Files.writeString(target.getParent().resolve("burst-cli.jar"), "not a real jar");
        return install;
    }

    /** A directory that find-jdk.sh takes for a JDK 25, whose java prints BURST_HOME and its arguments. */
    private static Path standInJdk(Path jdk) throws IOException {
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25\"\n");
        String java = """
                #!/usr/bin/env bash
                echo "BURST_HOME=${BURST_HOME-<unset>}"
                args=()
                skip=0
                for a in "$@"; do
                  if ((skip)); then skip=0; continue; fi
                  case $a in -cp) skip=1 ;; -*) ;; *) args+=("$a") ;; esac
                done
                echo "ARGS=${args[*]}"
                """;
        for (String tool : new String[] {"java", "javac"}) {
            Path p = jdk.resolve("bin").resolve(tool);
            Files.writeString(p, java);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return jdk;
    }

    private static String run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/burst did not end within 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit of bin/burst; output:%n%s", out).isZero();
        return out;
    }
}
