package dev.burst.internal.codeshipping;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A small library compiled at run time, so that no class loader of the test knows it. */
final class UserLibrary {
    private UserLibrary() {
    }

    /**
     * Compiles {@code userlib.Jobs} into {@code dir/classes}: {@code Jobs.job()} is a serializable
     * function multiplying by {@code factor}, capturing a package-private record.
     */
    static Path compile(Path dir, int factor) throws IOException {
        Path src = dir.resolve("src/userlib/Jobs.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package userlib;
                import java.io.Serializable;
                import java.util.function.Function;
                public class Jobs {
                    record Scale(long factor) implements Serializable {}
                    public static Object job() {
                        Scale s = new Scale(%d);
                        return (Function<Long, Long> & Serializable) x -> x * s.factor();
                    }
                }
                """.formatted(factor));
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", classes.toString(), src.toString())).isZero();
        return classes;
    }
}
