package dev.burst.internal.store;

/**
 * How a stored value becomes bytes and back; a worker passes the object codec of the value's
 * client session, because only that session's classes can decode it.
 *
 * <p>Implementations must be safe to call from several threads at once: the {@link ObjectStore}
 * encodes and decodes from executor threads and the data server concurrently, never under its own
 * lock.
 */
public interface ValueCodec {
    /** The client session the value belongs to; sent along to peers so they decode with the right codec. */
    String session();

    /** Serializes {@code value}, which may be {@code null}. */
    byte[] encode(Object value);

    /** The value {@link #encode} was given, rebuilt from its bytes (possibly {@code null}). */
    Object decode(byte[] bytes);
}
