package dev.burst.internal.transport;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.protocol.WireCodec;
import dev.burst.internal.protocol.wire.DataBatch;
import dev.burst.internal.protocol.wire.DataChunk;
import io.grpc.stub.StreamObserver;


/**
 * Reassembles the results a worker streams in chunks ({@link DataChunk}): a key's chunks arrive in
 * order, the first with its total size and session, the last marked. Used by peers fetching
 * dependencies and by clients gathering results.
 */
public abstract class ChunkAssembler implements StreamObserver<DataBatch> {
    private TaskKey current;
    private String session;
    private byte[] buffer;
    private int filled;

    /** All of {@code key} arrived. */
    protected abstract void received(TaskKey key, String session, byte[] bytes);

    /** The worker does not hold {@code key}. */
    protected abstract void missing(TaskKey key);

    /** The call ended; {@code error} is null when it ended normally. Keys not yet reported are lost. */
    protected abstract void finished(Throwable error);

    @Override
    public void onNext(DataBatch batch) {
        for (DataChunk c : batch.getChunksList()) {
            chunk(c);
        }
    }

    private void chunk(DataChunk c) {
        TaskKey key = WireCodec.key(c.getKey());
        if (c.getMissing()) {
            missing(key);
            return;
        }
        if (!key.equals(current)) {
            current = key;
            session = c.getSession();
            buffer = new byte[(int) Math.max(c.getTotal(), c.getData().size())];
            filled = 0;
        }
        if (filled + c.getData().size() > buffer.length) {
            throw new IllegalStateException("result " + key + " is larger than the " + buffer.length + " bytes announced");
        }
        c.getData().copyTo(buffer, filled);
        filled += c.getData().size();
        if (c.getLast()) {
            byte[] bytes = filled == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, filled);
            current = null;
            buffer = null;
            received(key, session, bytes);
        }
    }

    @Override
    public void onError(Throwable t) {
        finished(t);
    }

    @Override
    public void onCompleted() {
        finished(null);
    }
}
