package dev.burst.internal.codeshipping;

import com.google.protobuf.UnsafeByteOperations;
import dev.burst.internal.protocol.wire.BlobChunk;
import dev.burst.internal.protocol.wire.BlobList;
import dev.burst.internal.protocol.wire.BlobRequest;
import dev.burst.internal.protocol.wire.SchedulerGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Code shipping over gRPC: the scheduler's side of {@code MissingBlobs}, {@code PutBlobs} and
 * {@code GetBlob} (backed by a {@link BlobStore}), and the client's upload.
 *
 * <p>Design: a client asks which of its classpath blobs the scheduler lacks and uploads only
 * those; workers fetch from the scheduler what they lack ({@link BlobFetcher#fromScheduler}).
 * Blobs travel in chunks of {@link #CHUNK_BYTES} (gRPC messages are limited in size) and both
 * directions follow gRPC flow control, reading the next chunk from disk only when the peer can
 * take it, so a large jar never sits whole in memory. The scheduler stores a blob only when its
 * bytes hash to its name.
 */
public final class BlobTransfer {
    static final int CHUNK_BYTES = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(BlobTransfer.class);

    /** What an upload sent. */
    public record Uploaded(int blobs, long bytes) {
    }

    private final BlobStore store;

    public BlobTransfer(BlobStore store) {
        this.store = store;
    }

    /** {@code MissingBlobs}: which of the hashes the store lacks. */
    public void missingBlobs(BlobList request, StreamObserver<BlobList> response) {
        List<String> missing;
        try {
            missing = store.missing(request.getSha256List());
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        response.onNext(BlobList.newBuilder().addAllSha256(missing).build());
        response.onCompleted();
    }

    /** {@code PutBlobs}: receives blobs in chunks; answers the hashes stored once the client is done. */
    public StreamObserver<BlobChunk> putBlobs(StreamObserver<BlobList> response) {
        return new StreamObserver<>() {
            private final BlobList.Builder stored = BlobList.newBuilder();
            private BlobStore.Receiver current;
            private boolean failed;

            @Override
            public void onNext(BlobChunk chunk) {
                if (failed) {
                    return;
                }
                try {
                    String sha256 = chunk.getSha256();
                    if (current == null) {
                        if (sha256.isEmpty()) {
                            throw Status.INVALID_ARGUMENT.withDescription("the first chunk of a blob must name it").asRuntimeException();
                        }
                        current = store.receive(sha256);
                    } else if (!sha256.isEmpty() && !sha256.equals(current.sha256())) {
                        throw Status.INVALID_ARGUMENT.withDescription("blob " + sha256 + " began before blob "
                                + current.sha256() + " had its last chunk").asRuntimeException();
                    }
                    current.write(chunk.getData());
                    if (chunk.getLast()) {
                        BlobStore.Receiver done = current;
                        current = null;
                        done.commit();
                        stored.addSha256(done.sha256());
                    }
                } catch (BlobMismatchException | IllegalArgumentException e) {
                    fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).withCause(e));
                } catch (IOException e) {
                    fail(Status.INTERNAL.withDescription("the scheduler cannot store blob " + chunk.getSha256()
                            + ": " + e.getMessage()).withCause(e));
                } catch (StatusRuntimeException e) {
                    fail(e.getStatus());
                }
            }

            @Override
            public void onError(Throwable t) {
                abandon();
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                if (current != null) {
                    fail(Status.INVALID_ARGUMENT.withDescription("blob " + current.sha256()
                            + " ended without its last chunk"));
                    return;
                }
                response.onNext(stored.build());
                response.onCompleted();
            }

            private void fail(Status status) {
                failed = true;
                abandon();
                response.onError(status.asRuntimeException());
            }

            private void abandon() {
                if (current != null) {
                    try {
                        current.close();
                    } catch (IOException e) {
                        log.warn("cannot remove a partial upload of blob {}: {}", current.sha256(), e.toString());
                    }
                    current = null;
                }
            }
        };
    }

    /** {@code GetBlob}: streams one blob in chunks; NOT_FOUND when the store lacks it. */
    public void getBlob(BlobRequest request, StreamObserver<BlobChunk> response) {
        String sha256 = request.getSha256();
        Path path;
        FileChannel in;
        try {
            path = store.path(sha256);
            if (path == null) {
                throw new NoSuchFileException(sha256);
            }
            in = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (NoSuchFileException e) {
            response.onError(Status.NOT_FOUND.withDescription("the scheduler has no blob " + sha256).asRuntimeException());
            return;
        } catch (IOException e) {
            response.onError(Status.INTERNAL.withDescription("cannot read blob " + sha256 + ": " + e.getMessage()).asRuntimeException());
            return;
        }
        BlobSender sender = new BlobSender(sha256, in, response);
        if (response instanceof ServerCallStreamObserver<BlobChunk> call) {
            call.setOnCancelHandler(sender::abandon);
            call.setOnReadyHandler(sender::send);
        }
        sender.send();
    }

    /**
     * Uploads the blobs of {@code offer} the scheduler lacks, and only those.
     *
     * @param timeout for the whole exchange
     * @return what was sent
     * @throws StatusRuntimeException when the scheduler refuses or cannot be reached
     * @throws UncheckedIOException   when a local file cannot be read
     */
    public static Uploaded upload(SchedulerGrpc.SchedulerStub async, SchedulerGrpc.SchedulerBlockingStub blocking,
                           ClasspathOffer offer, Duration timeout) {
        long start = System.nanoTime();
        List<String> missing = blocking.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .missingBlobs(BlobList.newBuilder().addAllSha256(offer.hashes()).build())
                .getSha256List();
        if (missing.isEmpty()) {
            log.info("uploaded 0 of {} classpath blobs: the scheduler has them all", offer.hashes().size());
            return new Uploaded(0, 0);
        }
        List<Path> files = new ArrayList<>();
        for (String sha256 : missing) {
            Path file = offer.file(sha256);
            if (file == null) {
                throw new IllegalStateException("the scheduler asked for blob " + sha256 + ", which was not offered");
            }
            files.add(file);
        }
        Uploader uploader = new Uploader(missing, files);
        async.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS).putBlobs(uploader);
        BlobList stored;
        try {
            stored = uploader.result.get(timeout.toNanos() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            uploader.cancel("interrupted");
            throw Status.CANCELLED.withDescription("interrupted while uploading the classpath").asRuntimeException();
        } catch (TimeoutException e) {
            uploader.cancel("timed out");
            throw Status.DEADLINE_EXCEEDED.withDescription("uploading the classpath took over " + timeout).asRuntimeException();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException("cannot upload the classpath: " + io.getMessage(), io);
            }
            if (e.getCause() instanceof StatusRuntimeException s) {
                throw s;
            }
            throw Status.fromThrowable(e.getCause()).asRuntimeException();
        }
        if (!stored.getSha256List().containsAll(missing)) {
            throw Status.INTERNAL.withDescription("the scheduler stored " + stored.getSha256Count() + " of "
                    + missing.size() + " classpath blobs uploaded").asRuntimeException();
        }
        log.info("uploaded {} of {} classpath blobs ({} bytes) in {} ms", missing.size(), offer.hashes().size(),
                uploader.bytes, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return new Uploaded(missing.size(), uploader.bytes);
    }

    /** Sends the chunks of one blob whenever the receiver can take more. */
    private static final class BlobSender {
        private final String sha256;
        private final FileChannel in;
        private final StreamObserver<BlobChunk> out;
        private boolean first = true;
        private boolean done;

        BlobSender(String sha256, FileChannel in, StreamObserver<BlobChunk> out) {
            this.sha256 = sha256;
            this.in = in;
            this.out = out;
        }

        synchronized void send() {
            try {
                while (!done && (!(out instanceof CallStreamObserver<BlobChunk> call) || call.isReady())) {
                    BlobChunk chunk = nextChunk(in, first ? sha256 : "");
                    first = false;
                    out.onNext(chunk);
                    if (chunk.getLast()) {
                        done = true;
                        in.close();
                        out.onCompleted();
                    }
                }
            } catch (IOException e) {
                abandon();
                out.onError(Status.INTERNAL.withDescription("cannot read blob " + sha256 + ": " + e.getMessage()).asRuntimeException());
            }
        }

        synchronized void abandon() {
            done = true;
            try {
                in.close();
            } catch (IOException e) {
                // nothing left to read from it
            }
        }
    }

    /** The next chunk from {@code in}: up to {@link #CHUNK_BYTES}, last when the file ends. */
    private static BlobChunk nextChunk(FileChannel in, String sha256) throws IOException {
        long left = in.size() - in.position();
        byte[] data = new byte[(int) Math.max(0, Math.min(CHUNK_BYTES, left))];
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                throw new IOException("the file shrank while it was read");
            }
        }
        return BlobChunk.newBuilder()
                .setSha256(sha256)
                // a fresh array per chunk: gRPC may hold the message after onNext returns
                .setData(UnsafeByteOperations.unsafeWrap(data))
                .setLast(in.position() >= in.size())
                .build();
    }

    /** The client's side of {@code PutBlobs}: the missing blobs one after another, as flow control allows. */
    private static final class Uploader implements ClientResponseObserver<BlobChunk, BlobList> {
        final CompletableFuture<BlobList> result = new CompletableFuture<>();
        private final Deque<String> sha256s;
        private final Deque<Path> files;
        private ClientCallStreamObserver<BlobChunk> call;
        private BlobList stored = BlobList.getDefaultInstance();
        private FileChannel current;
        private String currentSha256;
        private boolean done;
        long bytes;

        Uploader(List<String> sha256s, List<Path> files) {
            this.sha256s = new ArrayDeque<>(sha256s);
            this.files = new ArrayDeque<>(files);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<BlobChunk> call) {
            this.call = call;
            call.setOnReadyHandler(this::send);
        }

        private synchronized void send() {
            try {
                while (!done && call.isReady()) {
                    boolean first = current == null;
                    if (first) {
                        if (files.isEmpty()) {
                            done = true;
                            call.onCompleted();
                            return;
                        }
                        currentSha256 = sha256s.poll();
                        current = FileChannel.open(files.poll(), StandardOpenOption.READ);
                    }
                    BlobChunk chunk = nextChunk(current, first ? currentSha256 : "");
                    bytes += chunk.getData().size();
                    call.onNext(chunk);
                    if (chunk.getLast()) {
                        current.close();
                        current = null;
                    }
                }
            } catch (IOException e) {
                closeFile();
                done = true;
                call.cancel("cannot read blob " + currentSha256, e);
                result.completeExceptionally(new IOException("cannot read the file of blob " + currentSha256 + ": " + e.getMessage(), e));
            }
        }

        synchronized void cancel(String why) {
            closeFile();
            done = true;
            call.cancel(why, null);
        }

        private void closeFile() {
            if (current != null) {
                try {
                    current.close();
                } catch (IOException e) {
                    // only read from
                }
                current = null;
            }
        }

        @Override
        public void onNext(BlobList value) {
            stored = value;
        }

        @Override
        public synchronized void onError(Throwable t) {
            closeFile();
            done = true;
            result.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            result.complete(stored);
        }
    }
}
