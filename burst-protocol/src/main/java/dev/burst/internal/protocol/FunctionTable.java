package dev.burst.internal.protocol;

import com.google.protobuf.ByteString;
import dev.burst.internal.protocol.wire.FunctionDefinition;
import dev.burst.internal.protocol.wire.Message;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Functions sent to a worker once and named by id after that: every task of a map shares one
 * function, which would otherwise travel (and be parsed and copied) with each task. One
 * {@link Sending} per worker stream at the scheduler, one {@link Receiving} per stream at the
 * worker; the stream's order makes a definition arrive before the tasks that name it.
 *
 * <p>Both tables are bounded: when the sender has seen {@link #CAPACITY} functions (a loop of
 * capturing lambdas makes a new one per task) it starts afresh and marks its next definition
 * {@code reset}, and the receiver forgets its table at that mark. A task decoded before the reset
 * holds its function's bytes already, so nothing it needs goes away.
 */
public final class FunctionTable {
    /** Distinct functions a stream remembers before it starts afresh. */
    public static final int CAPACITY = 1024;

    private FunctionTable() {
    }

    /** The scheduler's side of one worker stream. Not thread-safe: the scheduler loop's thread only. */
    public static final class Sending {
        private final Map<ByteString, Long> ids = new HashMap<>();
        private long next;
        private boolean reset;

        /**
         * The id of {@code function} on this stream; when the worker does not know it yet, its
         * definition is added to {@code out}, to go before the task that names it.
         */
        public long idOf(ByteString function, List<Message> out) {
            Long id = ids.get(function);
            if (id != null) {
                return id;
            }
            if (ids.size() >= CAPACITY) {
                ids.clear();
                reset = true;
            }
            long fresh = ++next;
            ids.put(function, fresh);
            out.add(Message.newBuilder().setFunctionDefinition(FunctionDefinition.newBuilder()
                    .setId(fresh).setFunction(function).setReset(reset)).build());
            reset = false;
            return fresh;
        }
    }

    /** A worker's side of its stream from the scheduler. Not thread-safe: the stream's thread only. */
    public static final class Receiving {
        private final Map<Long, ByteString> functions = new HashMap<>();

        public void define(FunctionDefinition d) {
            if (d.getReset()) {
                functions.clear();
            }
            functions.put(d.getId(), d.getFunction());
        }

        /** The function defined as {@code id}; a task naming an id never defined is a protocol error. */
        public ByteString resolve(long id) {
            ByteString f = functions.get(id);
            if (f == null) {
                throw new IllegalArgumentException("a task names function " + id + ", which this stream never defined");
            }
            return f;
        }

        /** Functions held now. */
        public int size() {
            return functions.size();
        }
    }
}
