package dev.burst.internal.protocol;

import com.google.protobuf.ByteString;

/**
 * A task's exception still in the bytes its worker serialized, carried through the scheduler
 * (which never deserializes user classes) inside a {@code TaskError}. The client rebuilds the real
 * exception with {@link ObjectCodec#decodeException}.
 */
public final class SerializedException extends Exception {
    private final transient ByteString bytes;

    public SerializedException(String type, String message, ByteString bytes) {
        super(type + (message == null || message.isEmpty() ? "" : ": " + message), null, false, false);
        this.bytes = bytes;
    }

    public ByteString bytes() {
        return bytes;
    }
}
