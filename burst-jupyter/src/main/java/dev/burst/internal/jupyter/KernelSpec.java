package dev.burst.internal.jupyter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Jupyter kernel spec of Burst's kernel: a directory {@code <kernels>/<name>/} holding
 * {@code kernel.json}, whose {@code argv} starts {@link BurstKernelMain} on this JDK with this
 * class path (Burst's jars, absolute). Jupyter finds user kernels under its data directory:
 * {@code $JUPYTER_DATA_DIR}, else {@code $XDG_DATA_HOME/jupyter}, else {@code ~/.local/share/jupyter}.
 */
public final class KernelSpec {
    public static final String DEFAULT_NAME = "burst-java";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private KernelSpec() {
    }

    /** Where Jupyter looks for this user's kernels, by its own rules. */
    public static Path userKernelsDir(Map<String, String> env, Path home) {
        String data = env.get("JUPYTER_DATA_DIR");
        if (data != null && !data.isBlank()) {
            return Path.of(data).resolve("kernels");
        }
        String xdg = env.get("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local").resolve("share");
        return base.resolve("jupyter").resolve("kernels");
    }

    /**
     * Writes {@code kernelsDir/name/kernel.json} (replacing one there) and returns its directory.
     *
     * @throws IllegalArgumentException for a name Jupyter would not take
     */
    public static Path install(Path kernelsDir, String name, Path javaCommand, List<Path> classPath) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a kernel name is letters, digits, '.', '_' and '-', got '" + name + "'");
        }
        List<String> cp = new ArrayList<>();
        for (Path p : classPath) {
            cp.add(p.toAbsolutePath().normalize().toString());
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", List.of(javaCommand.toAbsolutePath().toString(), "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-cp", String.join(File.pathSeparator, cp),
                BurstKernelMain.class.getName(), "{connection_file}"));
        spec.put("display_name", "Java (Burst)");
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("metadata", Map.of("burst", Map.of("java", javaCommand.toString())));
        Path dir = Files.createDirectories(kernelsDir.resolve(name));
        Path tmp = Files.createTempFile(dir, "kernel", ".json");
        JSON.writeValue(tmp.toFile(), spec);
        Files.move(tmp, dir.resolve("kernel.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /** Removes {@code kernelsDir/name}; false when there was none. */
    public static boolean uninstall(Path kernelsDir, String name) throws IOException {
        Path dir = kernelsDir.resolve(name);
        if (!Files.isRegularFile(dir.resolve("kernel.json"))) {
            return false;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        return true;
    }
}
