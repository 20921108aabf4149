package dev.burst.internal.codeshipping;

import dev.burst.internal.protocol.wire.BlobChunk;
import dev.burst.internal.protocol.wire.BlobRequest;
import dev.burst.internal.protocol.wire.SchedulerGrpc;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/** How a worker gets a classpath blob it lacks. */
@FunctionalInterface
public interface BlobFetcher {
    /**
     * Writes blob {@code sha256} to {@code target} (an existing file, overwritten).
     *
     * @throws IOException when the blob cannot be had, or arrives with another hash
     */
    void fetch(String sha256, Path target) throws IOException;

    /** Fetches from the scheduler's {@code GetBlob}, with no deadline but the stub's own. */
    static BlobFetcher fromScheduler(SchedulerGrpc.SchedulerBlockingStub scheduler) {
        return fromScheduler(scheduler, null);
    }

    /** Fetches from the scheduler's {@code GetBlob}; each fetch must finish within {@code timeout}. */
    static BlobFetcher fromScheduler(SchedulerGrpc.SchedulerBlockingStub scheduler, Duration timeout) {
        return (sha256, target) -> {
            Sha256.require(sha256);
            // Cancelled in any case, so a fetch that fails half-way does not leave the call open.
            Context.CancellableContext call = Context.current().withCancellation();
            Context previous = call.attach();
            try {
                SchedulerGrpc.SchedulerBlockingStub stub = timeout == null ? scheduler
                        : scheduler.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
                Iterator<BlobChunk> chunks = stub.getBlob(BlobRequest.newBuilder().setSha256(sha256).build());
                MessageDigest digest = Sha256.digest();
                long bytes = 0;
                boolean last = false;
                try (FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    while (!last && chunks.hasNext()) {
                        BlobChunk chunk = chunks.next();
                        if (!chunk.getSha256().isEmpty() && !chunk.getSha256().equals(sha256)) {
                            throw new IOException("asked the scheduler for blob " + sha256 + ", got " + chunk.getSha256());
                        }
                        for (ByteBuffer buffer : chunk.getData().asReadOnlyByteBufferList()) {
                            digest.update(buffer.duplicate());
                            while (buffer.hasRemaining()) {
                                out.write(buffer);
                            }
                        }
                        bytes += chunk.getData().size();
                        last = chunk.getLast();
                    }
                }
                if (!last) {
                    throw new IOException("blob " + sha256 + " from the scheduler ended after " + bytes + " bytes, before its last chunk");
                }
                String actual = Sha256.hex(digest);
                if (!actual.equals(sha256)) {
                    throw new BlobMismatchException(sha256, actual, bytes);
                }
            } catch (StatusRuntimeException e) {
                throw new IOException("cannot fetch blob " + sha256 + " from the scheduler: " + e.getStatus().getCode()
                        + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()), e);
            } finally {
                call.detach(previous);
                call.cancel(null);
            }
        };
    }
}
