package dev.burst.internal.workerprocess;

import com.google.protobuf.ByteString;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.protocol.WireCodec;
import dev.burst.internal.protocol.wire.DataBatch;
import dev.burst.internal.protocol.wire.DataChunk;
import dev.burst.internal.protocol.wire.DataRequest;
import dev.burst.internal.protocol.wire.WorkerGrpc;
import dev.burst.internal.store.ObjectStore;
import dev.burst.internal.store.ValueCodec;
import io.grpc.stub.StreamObserver;

/**
 * A worker's data service: the only way results leave a worker, to peers that need them as inputs
 * and to clients that gather them. Streams each requested key in chunks, or says it is missing.
 * Small results share a stream message (one per {@value #CHUNK} bytes or so): per-message costs,
 * not bytes, dominate when a client gathers thousands of small results.
 */
final class ResultServer extends WorkerGrpc.WorkerImplBase {
    private static final int CHUNK = 1 << 20;

    private final ObjectStore store;

    ResultServer(ObjectStore store) {
        this.store = store;
    }

    @Override
    public void getData(DataRequest request, StreamObserver<DataBatch> out) {
        try {
            DataBatch.Builder batch = DataBatch.newBuilder();
            int batchBytes = 0;
            for (var k : request.getKeysList()) {
                TaskKey key = WireCodec.key(k);
                byte[] bytes;
                ValueCodec codec;
                try {
                    bytes = store.bytes(key);
                    codec = store.codec(key);
                } catch (java.util.NoSuchElementException e) {
                    batch.addChunks(DataChunk.newBuilder().setKey(k).setMissing(true).setLast(true));
                    continue;
                }
                int off = 0;
                do {
                    int n = Math.min(CHUNK - batchBytes, bytes.length - off);
                    DataChunk.Builder c = DataChunk.newBuilder().setKey(k).setData(ByteString.copyFrom(bytes, off, n));
                    if (off == 0) {
                        c.setTotal(bytes.length).setSession(codec.session());
                    }
                    off += n;
                    batch.addChunks(c.setLast(off >= bytes.length));
                    batchBytes += n;
                    if (batchBytes >= CHUNK) {
                        out.onNext(batch.build());
                        batch = DataBatch.newBuilder();
                        batchBytes = 0;
                    }
                } while (off < bytes.length);
            }
            if (batch.getChunksCount() > 0) {
                out.onNext(batch.build());
            }
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(io.grpc.Status.INTERNAL.withDescription("cannot send results: " + e).asException());
        }
    }
}
