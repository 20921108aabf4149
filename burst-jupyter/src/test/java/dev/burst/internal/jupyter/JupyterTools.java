package dev.burst.internal.jupyter;

import java.nio.file.Files;
import java.nio.file.Path;


/**
 * Debian's Jupyter for the kernel's tests: {@code jupyter-nbconvert} (with nbclient) and
 * {@code jupyter-server}. Missing, the tests skip loudly; under {@code CI=true}, where
 * {@code .ci/run} installs them, they fail.
 */
final class JupyterTools {
    static final Path NBCONVERT = Path.of("/usr/bin/jupyter-nbconvert");
    /** Debian's python3-jupyter-server: a module, run with {@code python3 -m jupyter_server}. */
    static final Path SERVER = Path.of("/usr/lib/python3/dist-packages/jupyter_server");

    private JupyterTools() {
    }

    static void requireOrSkip(String testClass, Path... tools) {
        String why = null;
        for (Path t : tools) {
            if (!Files.isExecutable(t) && !Files.isDirectory(t)) {
                why = t + " is missing (apt-get install jupyter-nbconvert python3-nbclient python3-jupyter-server python3-ipykernel)";
                break;
            }
        }
        dev.burst.testsupport.RequiredTool.requireOrSkip(testClass, "Jupyter", why);
    }

    /** This JVM's {@code java} and class path: the kernel under test runs Burst's built classes. */
    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    static java.util.List<Path> classPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }
}
