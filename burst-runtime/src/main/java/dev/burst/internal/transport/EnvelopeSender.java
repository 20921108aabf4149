package dev.burst.internal.transport;

import dev.burst.internal.protocol.wire.Envelope;
import dev.burst.internal.protocol.wire.Message;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes messages to one gRPC stream in batches: whatever is queued while a batch is being written
 * goes out in the next envelope (group commit). Any thread may {@link #send}; at most one drain
 * runs at a time, on a shared pool, because a {@link StreamObserver} must not be called
 * concurrently. This is where the protocol's throughput comes from: one stream message costs about
 * 80 µs of CPU here (docs/notes/distributed-runtime-spike.md), an envelope of 1,000 barely more.
 */
public final class EnvelopeSender {
    private static final Logger log = LoggerFactory.getLogger(EnvelopeSender.class);
    /** Messages per envelope at most. */
    private static final int MAX_BATCH = 4096;
    /** Bytes per envelope at most (a message is never split): well under the 64 MiB gRPC limit. */
    static final int MAX_BATCH_BYTES = 16 << 20;
    private static final Executor DRAINERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "burst-sender");
        t.setDaemon(true);
        return t;
    });

    private final StreamObserver<Envelope> out;
    private final String peer;
    private final ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean closed;
    /** The stream was completed or failed; guarded by the lock on {@code out}. */
    private boolean ended;

    public EnvelopeSender(StreamObserver<Envelope> out, String peer) {
        this.out = out;
        this.peer = peer;
    }

    public void send(Message m) {
        queue.add(m);
        schedule();
    }

    public void sendAll(Collection<Message> ms) {
        if (ms.isEmpty()) {
            return;
        }
        queue.addAll(ms);
        schedule();
    }

    private void schedule() {
        if (!closed && draining.compareAndSet(false, true)) {
            DRAINERS.execute(this::drain);
        }
    }

    private void drain() {
        try {
            while (true) {
                // Taken and sent under one lock, so that complete() can never overtake a batch.
                synchronized (out) {
                    if (ended) {
                        break;
                    }
                    List<Message> batch = new ArrayList<>();
                    int bytes = 0;
                    Message m;
                    while (batch.size() < MAX_BATCH && bytes < MAX_BATCH_BYTES && (m = queue.poll()) != null) {
                        batch.add(m);
                        bytes += m.getSerializedSize();
                    }
                    if (batch.isEmpty()) {
                        break;
                    }
                    out.onNext(Envelope.newBuilder().addAllMessages(batch).build());
                }
            }
        } catch (RuntimeException e) {
            // The stream is gone (peer died or cancelled); its reader sees that and cleans up.
            log.debug("cannot send to {}: {}", peer, e.toString());
            closed = true;
            queue.clear();
        } finally {
            draining.set(false);
        }
        if (!queue.isEmpty() && !closed) {
            schedule(); // a message queued after the last poll, before draining was reset
        }
    }

    /** Sends what is queued (on the caller's thread), then ends the stream normally. */
    public void complete() {
        closed = true;
        synchronized (out) {
            try {
                List<Message> rest = new ArrayList<>();
                Message m;
                while ((m = queue.poll()) != null) {
                    rest.add(m);
                }
                if (!ended) {
                    ended = true;
                    if (!rest.isEmpty()) {
                        out.onNext(Envelope.newBuilder().addAllMessages(rest).build());
                    }
                    out.onCompleted();
                }
            } catch (RuntimeException e) {
                log.debug("stream to {} already closed: {}", peer, e.toString());
            }
        }
    }

    /** Ends the stream with an error status (what the peer is told). */
    public void fail(Throwable status) {
        closed = true;
        queue.clear();
        synchronized (out) {
            try {
                if (ended) {
                    return;
                }
                ended = true;
                out.onError(status);
            } catch (RuntimeException e) {
                log.debug("stream to {} already closed: {}", peer, e.toString());
            }
        }
    }

}
