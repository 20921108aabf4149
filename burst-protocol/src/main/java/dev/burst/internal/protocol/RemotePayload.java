package dev.burst.internal.protocol;

import com.google.protobuf.ByteString;

import java.util.Objects;

/**
 * A task's payload as it crosses processes: the function and the arguments, each serialized by
 * {@link ObjectCodec} in the client's session. The function bytes of a {@code map} are one
 * {@link ByteString} shared by all its tasks, so a worker decodes the function once (it caches
 * decoded functions by these bytes) and the client serializes it once.
 *
 * @param session   the client session whose class loader decodes the bytes; empty on the client
 *                  side, set by the scheduler from the connection the graph came on
 * @param function  the task function
 * @param arguments the task's constant arguments and how dependency results map onto parameters
 */
public record RemotePayload(String session, ByteString function, ByteString arguments) {
    public RemotePayload {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(arguments, "arguments");
    }

    public RemotePayload inSession(String s) {
        return new RemotePayload(s, function, arguments);
    }
}
