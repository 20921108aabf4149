package dev.burst.internal.protocol;

import com.google.protobuf.ByteString;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.Language;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/**
 * Turns the Java objects that travel between processes (task functions, their constant arguments,
 * results, exceptions) into bytes and back, with Apache Fory (exceptions with Java serialization,
 * see {@link #encodeException}). One codec serves one class loader:
 * a worker keeps one per client session, so that the session's classes (shipped by the client)
 * resolve to that session's loader and nowhere else. Thread-safe.
 *
 * <p>Why these settings (measured in docs/notes/distributed-runtime-spike.md): class registration
 * is off because user classes are not known up front; reference tracking is on for shared and
 * cyclic objects; code generation is off because Fory's generated serializers load classes from
 * the application class loader, which breaks every non-public class in a session's loader, and
 * because without it a new session's first round trip takes 5–8 ms instead of 35–64 ms.
 * Functions must be {@link java.io.Serializable} lambdas (Burst's task function types are). A class
 * the decoding side cannot load fails the decode, naming the class, instead of turning into Fory's
 * stand-in map of its fields.
 */
public final class ObjectCodec {
    private final ThreadSafeFory fory;
    private final ClassLoader loader;

    public ObjectCodec(ClassLoader loader) {
        this.loader = loader;
        this.fory = Fory.builder()
                .withLanguage(Language.JAVA)
                .requireClassRegistration(false)
                .withRefTracking(true)
                .withCodegen(false)
                // A class this side cannot load is an error that names it, not a map of its fields.
                .withDeserializeUnknownClass(false)
                .withClassLoader(loader)
                .buildThreadSafeFory();
    }

    /** The class loader this codec resolves classes through. */
    public ClassLoader classLoader() {
        return loader;
    }

    /**
     * The bytes of {@code value}.
     *
     * @throws IllegalArgumentException naming the value's class when it cannot be serialized
     *                                  (for example a lambda whose type is not Serializable)
     */
    public ByteString encode(Object value) {
        byte[] small = SmallValues.encode(value);
        if (small != null) {
            return ByteString.copyFrom(small);
        }
        try {
            byte[] body = fory.serialize(value);
            byte[] out = new byte[body.length + 1];
            out[0] = SmallValues.FORY;
            System.arraycopy(body, 0, out, 1, body.length);
            return ByteString.copyFrom(out);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot serialize a " + (value == null ? "null" : value.getClass().getName())
                    + " to send it to another process: " + rootMessage(e), e);
        }
    }

    /**
     * The object in {@code bytes}, its classes resolved through this codec's class loader.
     *
     * @throws IllegalArgumentException when the bytes do not hold an object this loader can build
     */
    public Object decode(ByteString bytes) {
        try {
            if (bytes.isEmpty()) {
                throw new IllegalArgumentException("no bytes");
            }
            byte tag = bytes.byteAt(0);
            if (tag != SmallValues.FORY) {
                return SmallValues.decode(tag, bytes);
            }
            return fory.deserialize(bytes.substring(1).toByteArray());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot deserialize " + bytes.size() + " bytes: " + rootMessage(e)
                    + whyNotLoadable(e), e);
        }
    }

    /** For a class that could not be found: why this loader cannot load it, in its own words. */
    private String whyNotLoadable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClassNotFoundException cnf && cnf.getMessage() != null) {
                String name = cnf.getMessage().strip().split("\\s+")[0];
                try {
                    Class.forName(name, false, loader);
                } catch (ClassNotFoundException why) {
                    return why.getMessage() == null || why.getMessage().equals(name) ? "" : " (" + why.getMessage() + ")";
                } catch (LinkageError why) {
                    return " (" + why + ")";
                }
                return "";
            }
        }
        return "";
    }

    /**
     * The bytes of a task's exception, keeping its class, message, stack trace and causes. Uses
     * Java serialization, not Fory: exceptions are Serializable by contract, and Fory does not keep
     * the stack trace. An exception that cannot be serialized (a field that is not) travels as a
     * stand-in with the same class name, message and stack, its cause likewise.
     */
    public ByteString encodeException(Throwable error) {
        try {
            return javaSerialize(error);
        } catch (IOException e) {
            return encodeException(standIn(error));
        }
    }

    /** The exception in {@code bytes}, its classes resolved through this codec's class loader. */
    public Throwable decodeException(ByteString bytes) {
        try (ObjectInputStream in = new ObjectInputStream(bytes.newInput()) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                return Class.forName(desc.getName(), false, loader);
            }
        }) {
            return (Throwable) in.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new IllegalArgumentException("cannot deserialize an exception from " + bytes.size() + " bytes: "
                    + rootMessage(e), e);
        }
    }

    private static ByteString javaSerialize(Throwable error) throws IOException {
        ByteString.Output bytes = ByteString.newOutput();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(error);
        }
        return bytes.toByteString();
    }

    /** A plain exception that says what {@code error} was, for one that cannot be serialized. */
    private static RuntimeException standIn(Throwable error) {
        RuntimeException s = new RuntimeException(error.getClass().getName()
                + (error.getMessage() == null ? "" : ": " + error.getMessage()),
                error.getCause() == null || error.getCause() == error ? null : standIn(error.getCause()));
        s.setStackTrace(error.getStackTrace());
        return s;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
