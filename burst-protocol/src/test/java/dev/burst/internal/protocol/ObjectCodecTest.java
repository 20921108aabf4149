package dev.burst.internal.protocol;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectCodecTest {
    private final ObjectCodec codec = new ObjectCodec(ObjectCodecTest.class.getClassLoader());

    interface TaskFunction<A, R> extends Serializable {
        R apply(A input) throws Exception;
    }

    record Point(long x, long y) {
    }

    static long twice(long x) {
        return 2 * x;
    }

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) {
        return (T) codec.decode(codec.encode(value));
    }

    @Test
    void functionsTravelAndStillWork() throws Exception {
        long offset = 5;
        TaskFunction<Long, Long> capturing = x -> x + offset;
        TaskFunction<Long, Long> reference = ObjectCodecTest::twice;
        TaskFunction<Point, Long> unbound = Point::x;
        assertThat(roundTrip(capturing).apply(10L)).isEqualTo(15L);
        assertThat(roundTrip(reference).apply(21L)).isEqualTo(42L);
        assertThat(roundTrip(unbound).apply(new Point(3, 4))).isEqualTo(3L);
    }

    @Test
    void valuesTravel() {
        long[] big = new long[1 << 17];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 31L;
        }
        assertThat(roundTrip(big)).isEqualTo(big);
        assertThat(roundTrip(new Point(1, 2))).isEqualTo(new Point(1, 2));
        assertThat(roundTrip(List.of(new Point(1, 2), "s", 3L))).isEqualTo(List.of(new Point(1, 2), "s", 3L));
        assertThat(roundTrip(Map.of("a", 1))).isEqualTo(Map.of("a", 1));
        assertThat(roundTrip((Object) null)).isNull();
    }

    @Test
    void exceptionsKeepClassMessageStackAndCause() {
        UncheckedIOException original = new UncheckedIOException("disk on fire", new IOException("sda"));
        Throwable back = codec.decodeException(codec.encodeException(original));
        assertThat(back).isInstanceOf(UncheckedIOException.class).hasMessage("disk on fire");
        assertThat(back.getCause()).isInstanceOf(IOException.class).hasMessage("sda");
        assertThat(back.getStackTrace()).isEqualTo(original.getStackTrace());
        assertThat(back.getCause().getStackTrace()).isEqualTo(original.getCause().getStackTrace());
    }

    /** Holds a field that cannot be serialized. */
    static final class UnserializableException extends RuntimeException {
        @SuppressWarnings({"unused", "serial"})
        private final Object handle = new Object();

        UnserializableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Test
    void anExceptionThatCannotBeSerializedTravelsAsAStandInWithItsClassMessageAndStack() {
        UnserializableException original = new UnserializableException("no socket", new IllegalStateException("closed"));
        Throwable back = codec.decodeException(codec.encodeException(original));
        assertThat(back).isExactlyInstanceOf(RuntimeException.class)
                .hasMessage(UnserializableException.class.getName() + ": no socket");
        assertThat(back.getStackTrace()).isEqualTo(original.getStackTrace());
        assertThat(back.getCause()).hasMessage("java.lang.IllegalStateException: closed");
    }

    @Test
    void aFunctionThatIsNotSerializableIsRefusedNamingIt() {
        Function<Long, Long> plain = x -> x;
        assertThatThrownBy(() -> codec.encode(plain))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot serialize a")
                .hasMessageContaining("Lambda");
        assertThatThrownBy(() -> codec.decode(ByteString.copyFromUtf8("not fory bytes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot deserialize 14 bytes");
    }

    /**
     * A client's code is not on the worker's class path: the worker decodes it in the session's own
     * class loader. Compiles a small "user library" (with a package-private class, the case Fory's
     * code generation breaks) and loads it in two unrelated loaders, one per side.
     */
    @Test
    void userCodeDecodesInTheSessionsClassLoader(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/userlib/Jobs.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package userlib;
                import java.io.Serializable;
                import java.util.function.Function;
                public class Jobs {
                    record Scale(long factor) implements Serializable {}
                    public static Object job() {
                        Scale s = new Scale(3);
                        return (Function<Long, Long> & Serializable) x -> x * s.factor();
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", classes.toString(), src.toString())).isZero();
        URL[] userJar = {classes.toUri().toURL()};
        ClassLoader parent = ObjectCodecTest.class.getClassLoader();

        try (URLClassLoader client = new URLClassLoader(userJar, parent);
             URLClassLoader workerSession = new URLClassLoader(userJar, parent)) {
            Object job = client.loadClass("userlib.Jobs").getMethod("job").invoke(null);
            ByteString bytes = new ObjectCodec(client).encode(job);

            @SuppressWarnings("unchecked")
            Function<Long, Long> decoded = (Function<Long, Long>) new ObjectCodec(workerSession).decode(bytes);
            assertThat(decoded.apply(14L)).isEqualTo(42L);
            assertThat(decoded.getClass().getClassLoader()).isSameAs(workerSession);
        }
    }

    @Test
    void smallValuesRoundTripInTheirCompactForm() {
        ObjectCodec codec = new ObjectCodec(getClass().getClassLoader());
        java.util.List<Object> values = java.util.Arrays.asList(null, 0, -7, Integer.MAX_VALUE, 42L, Long.MIN_VALUE, 3.5,
                Double.NaN, true, false, "", "héllo", new byte[0]);
        for (Object v : values) {
            ByteString bytes = codec.encode(v);
            assertThat(codec.decode(bytes)).as("round trip of %s", v).isEqualTo(v);
            assertThat(bytes.size()).as("compact form of %s", v).isLessThanOrEqualTo(10);
        }
        assertThat((byte[]) codec.decode(codec.encode(new byte[] {1, 2, 3}))).containsExactly(1, 2, 3);
        // everything else still goes through Fory, with its own tag
        assertThat(codec.decode(codec.encode(java.util.List.of(1, "a")))).isEqualTo(java.util.List.of(1, "a"));
        assertThatThrownBy(() -> codec.decode(ByteString.copyFrom(new byte[] {99})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag 99");
    }
}
