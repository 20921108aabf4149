package dev.burst.internal.protocol;

import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A compact form for the values most tasks take and return (null, boxed numbers, booleans,
 * strings, byte arrays), written without Fory: a tag byte, then the value. A no-op task moves such
 * values four times (arguments out and in, result out and in), and Fory's fixed cost per call is
 * several times the cost of these few bytes. Everything else is tagged {@link #FORY}.
 */
final class SmallValues {
    static final byte FORY = 0;
    private static final byte NULL = 1;
    private static final byte INT = 2;
    private static final byte LONG = 3;
    private static final byte DOUBLE = 4;
    private static final byte STRING = 5;
    private static final byte BYTES = 6;
    private static final byte TRUE = 7;
    private static final byte FALSE = 8;

    private SmallValues() {
    }

    /** The compact bytes of {@code value}, or null when it is not one of the small kinds. */
    static byte[] encode(Object value) {
        return switch (value) {
            case null -> new byte[] {NULL};
            case Integer i -> ByteBuffer.allocate(5).put(INT).putInt(i).array();
            case Long l -> ByteBuffer.allocate(9).put(LONG).putLong(l).array();
            case Double d -> ByteBuffer.allocate(9).put(DOUBLE).putDouble(d).array();
            case Boolean b -> new byte[] {b ? TRUE : FALSE};
            case String str -> {
                byte[] utf8 = str.getBytes(StandardCharsets.UTF_8);
                byte[] out = new byte[utf8.length + 1];
                out[0] = STRING;
                System.arraycopy(utf8, 0, out, 1, utf8.length);
                yield out;
            }
            case byte[] a -> {
                byte[] out = new byte[a.length + 1];
                out[0] = BYTES;
                System.arraycopy(a, 0, out, 1, a.length);
                yield out;
            }
            default -> null;
        };
    }

    static Object decode(byte tag, ByteString bytes) {
        return switch (tag) {
            case NULL -> null;
            case INT -> bytes.substring(1).asReadOnlyByteBuffer().getInt();
            case LONG -> bytes.substring(1).asReadOnlyByteBuffer().getLong();
            case DOUBLE -> bytes.substring(1).asReadOnlyByteBuffer().getDouble();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case STRING -> bytes.substring(1).toStringUtf8();
            case BYTES -> bytes.substring(1).toByteArray();
            default -> throw new IllegalArgumentException("unknown value tag " + tag);
        };
    }
}
