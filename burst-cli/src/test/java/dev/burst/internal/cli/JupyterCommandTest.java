package dev.burst.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code burst jupyter install | uninstall}: the kernel spec Jupyter reads, and taking it back. */
class JupyterCommandTest {
    @TempDir
    Path dir;

    private static String[] run(String... args) {
        Object[] r = CapturedCli.run(args);
        return new String[]{String.valueOf(r[0]), (String) r[1], (String) r[2]};
    }

    @Test
    void installWritesAKernelSpecThatStartsBurstsKernelAndUninstallRemovesIt() throws Exception {
        Path kernels = dir.resolve("kernels");
        String[] r = run("jupyter", "install", "--kernels-dir", kernels.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("installed kernel burst-java");
        JsonNode spec = new ObjectMapper().readTree(kernels.resolve("burst-java/kernel.json").toFile());
        assertThat(spec.get("display_name").asText()).isEqualTo("Java (Burst)");
        assertThat(spec.get("language").asText()).isEqualTo("java");
        JsonNode argv = spec.get("argv");
        assertThat(Path.of(argv.get(0).asText())).isAbsolute().exists();
        assertThat(argv.get(argv.size() - 2).asText()).isEqualTo("dev.burst.internal.jupyter.BurstKernelMain");
        assertThat(argv.get(argv.size() - 1).asText()).isEqualTo("{connection_file}");
        String cp = argv.get(argv.size() - 3).asText();
        assertThat(cp.split(File.pathSeparator)).allSatisfy(e -> assertThat(Path.of(e)).isAbsolute());
        assertThat(cp).contains("burst-jupyter");

        assertThat(run("jupyter", "install", "--kernels-dir", kernels.toString(), "--name", "bad name")[2]).contains("kernel name");
        r = run("jupyter", "uninstall", "--kernels-dir", kernels.toString());
        assertThat(r[0]).isEqualTo("0");
        assertThat(Files.exists(kernels.resolve("burst-java"))).isFalse();
        r = run("jupyter", "uninstall", "--kernels-dir", kernels.toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("no kernel burst-java");
    }
}
