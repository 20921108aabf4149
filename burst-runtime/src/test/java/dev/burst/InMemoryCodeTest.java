package dev.burst;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Code that exists only in the client's memory runs on worker processes: JShell cells (what a
 * Java notebook kernel runs) and a {@code java Main.java} program. Before, both failed on the
 * worker with {@code ClassNotFoundException: REPL.$JShell$5} inside the deserializer.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InMemoryCodeTest {
    @TempDir
    Path dir;

    /** Evaluates one snippet and returns its value; fails on a compile error or an exception. */
    private static String eval(JShell js, String source) {
        List<SnippetEvent> events = js.eval(source);
        for (SnippetEvent e : events) {
            if (e.exception() != null) {
                throw new AssertionError("snippet threw: " + source + "\n" + e.exception(), e.exception());
            }
            if (e.status() == Snippet.Status.REJECTED) {
                throw new AssertionError("snippet rejected: " + source + "\n"
                        + js.diagnostics(e.snippet()).map(d -> d.getMessage(null)).toList());
            }
        }
        return events.isEmpty() ? null : events.get(events.size() - 1).value();
    }

    @Test
    void jshellCellsRunOnWorkerProcessesAndARedefinedCellShipsItsNewVersion() {
        String cp = System.getProperty("java.class.path");
        try (JShell js = JShell.builder().executionEngine("local").compilerOptions("--class-path", cp).build()) {
            eval(js, "import dev.burst.*;");
            eval(js, "record Point(int x, int y) { int product() { return x * y; } }");
            eval(js, "LocalCluster cluster = LocalCluster.builder().processes(true).workers(1).build();");
            eval(js, "Client client = Client.connect(cluster);");
            assertThat(eval(js, "client.submit(() -> new Point(6, 7).product()).get()")).isEqualTo("42");
            // A method of a later cell over a record of an earlier one, mapped over cell-made values.
            eval(js, "int weigh(Point p) { return 2 * p.x(); }");
            assertThat(eval(js, "client.gather(client.map(p -> weigh(p), java.util.List.of(new Point(1, 0), new Point(2, 0))))"))
                    .isEqualTo("[2, 4]");
            // The cell redefined: tasks submitted after it use the new version.
            eval(js, "int weigh(Point p) { return 3 * p.x(); }");
            assertThat(eval(js, "client.submit(() -> weigh(new Point(5, 0))).get()")).isEqualTo("15");
            eval(js, "client.close();");
            eval(js, "cluster.close();");
        }
    }

    @Test
    void aSingleFileProgramRunAsJavaMainJavaRunsOnWorkerProcesses() throws Exception {
        Path main = Files.writeString(dir.resolve("Main.java"), """
                import dev.burst.*;

                public class Main {
                    record Point(int x, int y) {
                    }

                    public static void main(String[] args) throws Exception {
                        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(1).build();
                             Client client = Client.connect(cluster)) {
                            System.out.println("result=" + client.submit(() -> new Point(6, 7).x() * 7).get());
                        }
                    }
                }
                """);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), main.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out).contains("result=42");
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void aClassWhoseBytesCannotBeHadIsNamedInTheError() throws Exception {
        byte[] original;
        try (var in = SecretTask.class.getResourceAsStream("/" + SecretTask.class.getName().replace('.', '/') + ".class")) {
            original = in.readAllBytes();
        }
        // The same class under a name no classpath has (same length, so the constant pool stays valid).
        String hidden = "dev.burst.HiddenTask";
        byte[] bytes = new String(original, StandardCharsets.ISO_8859_1)
                .replace("dev/burst/SecretTask", hidden.replace('.', '/')).getBytes(StandardCharsets.ISO_8859_1);
        ClassLoader secretive = new ClassLoader(InMemoryCodeTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(hidden)) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : defineClass(name, bytes, 0, bytes.length);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        @SuppressWarnings("unchecked")
        TaskCallable<String> task = (TaskCallable<String>) secretive.loadClass(hidden).getConstructor().newInstance();
        // Workers with Burst's jars only: the test classes, this one among them, are not theirs.
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(1)
                .workerClasspath(ProcessClusterTest.burstOnlyClasspath()).build();
             Client client = Client.connect(cluster)) {
            assertThatThrownBy(() -> client.submit(task).get(60, TimeUnit.SECONDS))
                    .hasStackTraceContaining(hidden)
                    .hasStackTraceContaining("the client did not ship it");
        }
    }
}
