package dev.burst.internal.schedulernode;

import com.google.protobuf.ByteString;
import dev.burst.internal.codeshipping.BlobTransfer;
import dev.burst.internal.codeshipping.ClasspathOffer;
import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.loop.ClientListener;
import dev.burst.internal.loop.SchedulerEndpoint;
import dev.burst.internal.protocol.ObjectCodec;
import dev.burst.internal.protocol.RemotePayload;
import dev.burst.internal.protocol.WireCodec;
import dev.burst.internal.protocol.wire.DataRequest;
import dev.burst.internal.protocol.wire.Envelope;
import dev.burst.internal.protocol.wire.Hello;
import dev.burst.internal.protocol.wire.Message;
import dev.burst.internal.protocol.wire.ReportDone;
import dev.burst.internal.protocol.wire.Role;
import dev.burst.internal.protocol.wire.SchedulerGrpc;
import dev.burst.internal.protocol.wire.WorkerGrpc;
import dev.burst.internal.scheduler.TaskSpec;
import dev.burst.internal.task.TaskCall;
import dev.burst.internal.transport.ArgumentsCodec;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ChunkAssembler;
import dev.burst.internal.transport.ClusterCredentials;
import dev.burst.internal.transport.EnvelopeSender;
import dev.burst.internal.transport.Transport;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One client's connection to a remote scheduler: its control stream, and the data connections to
 * workers it gathers results from.
 *
 * <p>Design notes. Before connecting, the client offers its classpath by content hash and uploads
 * only what the scheduler lacks ({@link BlobTransfer}), so workers can load its classes. A submit
 * serializes each task's function once per call (all tasks of a {@code map} share the bytes) and
 * its arguments per task; large maps go out in chunks so the scheduler accepts them in batches
 * without stalling. Results never pass through the scheduler, and travel only when asked for:
 * when it reports a key done, the key's future learns how to fetch it, and a {@code get},
 * {@code gather} or {@code asCompleted} fetches it from a worker holding it, batching keys per worker.
 * Through a gateway (a token file with a route), every connection goes to the gateway's one port,
 * the worker named in the TLS server name ({@link Transport#workerChannel}).
 */
public final class RemoteEndpoint implements SchedulerEndpoint {
    private static final Logger log = LoggerFactory.getLogger(RemoteEndpoint.class);
    /** Tasks per SubmitGraph message for maps: the scheduler handles each as one event. */


    private final BurstAddress address;
    private final ClusterCredentials credentials;
    private final ManagedChannel channel;
    private final ClasspathOffer classpath;
    private final ObjectCodec codec;
    private final String name;
    private final Map<String, ManagedChannel> workers = new ConcurrentHashMap<>();
    private final CompletableFuture<dev.burst.internal.protocol.wire.Welcome> welcome = new CompletableFuture<>();
    private EnvelopeSender sender;
    /**
     * Functions serialized recently, by identity: a non-capturing lambda or method reference is one
     * instance per call site, so a loop of submits (a reduction tree) serializes it once. Guarded by
     * this endpoint's lock (submit is synchronized); bounded by clearing.
     */
    private final IdentityHashMap<Object, ByteString> functions = new IdentityHashMap<>();
    /** Whether instances of a class carry no state (a non-capturing lambda): only those are cached across submits. */
    private static final ClassValue<Boolean> STATELESS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                    if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                        return false;
                    }
                }
            }
            return true;
        }
    };
    private volatile ClientListener listener;
    /** The session is over: closed by the client, or the connection ended. */
    private volatile boolean closed;
    /** Channels shut down (once, by {@link #close}). */
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
    /** Keys whose result could not be fetched from any holder, with how often the scheduler was asked since. */
    private final Map<TaskKey, Integer> fetchFailures = new ConcurrentHashMap<>();
    private static final java.util.concurrent.ScheduledExecutorService RETRIES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "burst-fetch-retry");
                t.setDaemon(true);
                return t;
            });
    private long stimuli;
    /** Root classes already walked for in-memory classes (with all they reach); guarded by this. */
    private final java.util.Set<Class<?>> rootsWalked = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** In-memory classes sent to this session, by name: the SHA-256 of the bytes sent; guarded by this. */
    private final Map<String, String> classesSent = new java.util.HashMap<>();

    private RemoteEndpoint(BurstAddress address, ClusterCredentials credentials, ManagedChannel channel,
                           ClasspathOffer classpath, ClassLoader userLoader, String name) {
        this.address = address;
        this.credentials = credentials;
        this.channel = channel;
        this.classpath = classpath;
        this.codec = new ObjectCodec(userLoader);
        this.name = name;
    }

    /**
     * Reaches the scheduler at {@code address} and ships the classpath it lacks; {@link #connect}
     * then opens the session.
     *
     * @throws dev.burst.BurstException when the scheduler cannot be reached or refuses the token
     */
    public static RemoteEndpoint open(BurstAddress address, ClusterCredentials credentials, Path cacheDir) {
        ManagedChannel channel = Transport.channel(address, credentials);
        try {
            ClasspathOffer offer = ClasspathOffer.ofThisJvm(cacheDir.resolve("classpath"));
            BlobTransfer.upload(SchedulerGrpc.newStub(channel), SchedulerGrpc.newBlockingStub(channel), offer,
                    Duration.ofMinutes(5));
            ClassLoader tccl = Thread.currentThread().getContextClassLoader();
            return new RemoteEndpoint(address, credentials, channel, offer,
                    tccl != null ? tccl : RemoteEndpoint.class.getClassLoader(),
                    System.getProperty("user.name") + "@" + ProcessHandle.current().pid());
        } catch (RuntimeException e) {
            channel.shutdownNow();
            throw new dev.burst.BurstException("cannot connect to the scheduler at " + address + ": " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        Status s = Status.fromThrowable(e);
        if (s.getCode() != Status.Code.UNKNOWN) {
            return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription())
                    + (s.getCode() == Status.Code.UNAVAILABLE ? " (is a scheduler running there, and is the token file its own?)" : "");
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    // ---------------------------------------------------------------- SchedulerEndpoint

    @Override
    public Session connect(ClientListener clientListener) {
        this.listener = clientListener;
        StreamObserver<Envelope> out = SchedulerGrpc.newStub(channel).connect(new FromScheduler());
        sender = new EnvelopeSender(out, "scheduler " + address);
        sender.send(Message.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(WireCodec.PROTOCOL_VERSION)
                .setRole(Role.ROLE_CLIENT).setToken(credentials.token()).setName(name)
                .addAllClasspath(classpath.entries())).build());
        try {
            var w = welcome.get(30, TimeUnit.SECONDS);
            return new Session(new ClientId(w.getId()), w.getKeyBase());
        } catch (ExecutionException e) {
            close();
            throw new dev.burst.BurstException("the scheduler at " + address + " refused this client: " + describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            close();
            throw new dev.burst.BurstException("the scheduler at " + address + " did not answer within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new dev.burst.BurstException("interrupted while connecting to " + address, e);
        }
    }

    @Override
    public synchronized void submit(ClientId client, List<TaskSpec> tasks, Collection<TaskKey> wanted) {
        boolean independent = true;
        for (TaskSpec t : tasks) {
            independent &= t.dependencies().isEmpty();
        }
        if (functions.size() > 256) {
            functions.clear();
        }
        shipInMemoryClasses(tasks);
        IdentityHashMap<Object, ByteString> thisCall = new IdentityHashMap<>();
        // Equal arguments share bytes too (a tree's "inputs 0 and 1"); TaskArguments compares contents.
        Map<TaskCall.TaskArguments, ByteString> arguments = new java.util.HashMap<>();
        if (!independent) {
            // A graph goes in one message: the scheduler checks it whole (cycles, missing inputs).
            List<TaskSpec> encoded = encode(tasks, thisCall, arguments);
            long bytes = payloadBytes(encoded);
            if (bytes > MAX_GRAPH_BYTES) {
                throw new IllegalArgumentException("this graph's " + tasks.size() + " tasks serialize to " + (bytes >> 20)
                        + " MiB, more than one submission can carry (" + (MAX_GRAPH_BYTES >> 20) + " MiB): submit it in parts, "
                        + "or let tasks load large data themselves instead of capturing it");
            }
            sender.send(WireCodec.encodeGraph(encoded, wanted, stimulus("submit")));
            return;
        }
        // Independent tasks (a map): chunks sent as soon as each is encoded, which the scheduler
        // takes one at a time, interleaved with other work; the first tasks run while the rest are
        // still being encoded. A chunk ends at SUBMIT_CHUNK tasks or MAX_CHUNK_BYTES of payloads.
        java.util.Set<TaskKey> wantedSet = new java.util.HashSet<>(wanted);
        List<TaskSpec> chunk = new ArrayList<>();
        List<TaskKey> chunkWanted = new ArrayList<>();
        long chunkBytes = 0;
        for (TaskSpec t : tasks) {
            TaskSpec e = encode(List.of(t), thisCall, arguments).get(0);
            chunk.add(e);
            if (wantedSet.contains(t.key())) {
                chunkWanted.add(t.key());
            }
            chunkBytes += payloadBytes(List.of(e));
            if (chunk.size() >= SUBMIT_CHUNK || chunkBytes >= MAX_CHUNK_BYTES) {
                sender.send(WireCodec.encodeGraph(chunk, chunkWanted, stimulus("submit")));
                chunk = new ArrayList<>();
                chunkWanted = new ArrayList<>();
                chunkBytes = 0;
            }
        }
        if (!chunk.isEmpty()) {
            sender.send(WireCodec.encodeGraph(chunk, chunkWanted, stimulus("submit")));
        }
    }

    /**
     * Sends, ahead of the tasks, the in-memory classes they need that this session has not had in
     * this version ({@link dev.burst.internal.codeshipping.InMemoryClasses}): cells of a notebook or
     * JShell, a {@code java Main.java} program. Each root class is walked once per connection.
     */
    private void shipInMemoryClasses(List<TaskSpec> tasks) {
        List<Class<?>> roots = new ArrayList<>();
        for (TaskSpec t : tasks) {
            TaskCall call = (TaskCall) t.payload();
            addRoot(roots, call.function().getClass());
            for (Object c : call.arguments().constants()) {
                if (c != null) {
                    addRoot(roots, c.getClass());
                }
            }
        }
        if (roots.isEmpty()) {
            return;
        }
        var collected = dev.burst.internal.codeshipping.InMemoryClasses.reachableFrom(roots);
        var out = dev.burst.internal.protocol.wire.SessionClasses.newBuilder();
        for (Map.Entry<String, byte[]> e : collected.classes().entrySet()) {
            String sha = dev.burst.internal.codeshipping.InMemoryClasses.fingerprint(e.getValue());
            if (!sha.equals(classesSent.put(e.getKey(), sha))) {
                out.addClasses(dev.burst.internal.protocol.wire.ShippedClass.newBuilder().setName(e.getKey())
                        .setBytecode(ByteString.copyFrom(e.getValue())));
            }
        }
        if (!collected.unshippable().isEmpty()) {
            log.debug("classes on no classpath whose bytes their loader does not serve, not shipped: {}", collected.unshippable());
        }
        if (out.getClassesCount() > 0) {
            log.debug("shipping {} in-memory classes: {}", out.getClassesCount(),
                    out.getClassesList().stream().map(dev.burst.internal.protocol.wire.ShippedClass::getName).toList());
            sender.send(Message.newBuilder().setSessionClasses(out).build());
        }
    }

    private void addRoot(List<Class<?>> roots, Class<?> c) {
        if (c.getClassLoader() != null && rootsWalked.add(c)) {
            roots.add(c);
        }
    }

    /** Payload bytes of one submission at most: under the 64 MiB message limit with room for the rest. */
    static final long MAX_GRAPH_BYTES = 48L << 20;
    /** A map's chunks are cut at this many payload bytes (or {@link #SUBMIT_CHUNK} tasks). */
    static final long MAX_CHUNK_BYTES = 8L << 20;
    /** One task's function and arguments at most. */
    static final long MAX_TASK_BYTES = 32L << 20;

    private static long payloadBytes(List<TaskSpec> encoded) {
        long sum = 0;
        for (TaskSpec t : encoded) {
            RemotePayload p = (RemotePayload) t.payload();
            sum += p.function().size() + p.arguments().size();
        }
        return sum;
    }

    /** The tasks with their payloads serialized: each distinct function once, arguments per task. */
    private List<TaskSpec> encode(List<TaskSpec> tasks, IdentityHashMap<Object, ByteString> thisCall,
                                  Map<TaskCall.TaskArguments, ByteString> arguments) {
        List<TaskSpec> encoded = new ArrayList<>(tasks.size());
        for (TaskSpec t : tasks) {
            TaskCall call = (TaskCall) t.payload();
            // A capturing lambda's state may change between submits: its bytes are reused only within one.
            ByteString fn = (STATELESS.get(call.function().getClass()) ? functions : thisCall)
                    .computeIfAbsent(call.function(), codec::encode);
            ByteString args = call.arguments().isAllInputs()
                    ? arguments.computeIfAbsent(call.arguments(), a -> ArgumentsCodec.encode(a, codec))
                    : ArgumentsCodec.encode(call.arguments(), codec);
            if (fn.size() + args.size() > MAX_TASK_BYTES) {
                throw new IllegalArgumentException("task " + t.key() + " serializes to " + ((fn.size() + args.size()) >> 20)
                        + " MiB (function " + (fn.size() >> 10) + " KiB, arguments " + (args.size() >> 10) + " KiB), more than the "
                        + (MAX_TASK_BYTES >> 20) + " MiB a task may carry: pass large data as the result of another task, "
                        + "or let the task load it, instead of capturing it or passing it as an argument");
            }
            encoded.add(new TaskSpec(t.key(), t.dependencies(), t.resources(), t.priority(), t.retries(),
                    new RemotePayload("", fn, args)));
        }
        return encoded;
    }

    private dev.burst.internal.core.StimulusId stimulus(String kind) {
        return new dev.burst.internal.core.StimulusId(kind, ++stimuli);
    }

    @Override
    public synchronized void release(ClientId client, Collection<TaskKey> keys) {
        fetchFailures.keySet().removeAll(keys);
        if (!closed) {
            sender.send(WireCodec.encodeRelease(keys, stimulus("release")));
        }
    }

    @Override
    public synchronized CompletableFuture<List<String>> retireWorkers(ClientId client, List<String> names) {
        CompletableFuture<List<String>> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("the connection to " + address + " is closed"));
            return done;
        }
        long request = ++retireRequests;
        retirements.put(request, done);
        sender.send(Message.newBuilder().setRetireWorkers(dev.burst.internal.protocol.wire.RetireWorkers.newBuilder()
                .setRequest(request).addAllWorkers(names)).build());
        return done;
    }

    private long retireRequests;
    private final Map<Long, CompletableFuture<List<String>>> retirements = new ConcurrentHashMap<>();

    @Override
    public void disconnect(ClientId client) {
        close();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Ends the session and closes every connection, also after the scheduler went away. Idempotent. */
    public void close() {
        closed = true;
        if (!released.compareAndSet(false, true)) {
            return;
        }
        if (sender != null) {
            sender.complete();
        }
        workers.values().forEach(ManagedChannel::shutdown);
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- from the scheduler

    private final class FromScheduler implements StreamObserver<Envelope> {
        @Override
        public void onNext(Envelope envelope) {
            IN_ENVELOPE.set(true);
            try {
                read(envelope);
            } finally {
                IN_ENVELOPE.set(false);
            }
            scheduleFetches();
        }

        private void read(Envelope envelope) {
            for (Message m : envelope.getMessagesList()) {
                switch (m.getKindCase()) {
                    case WELCOME -> welcome.complete(m.getWelcome());
                    case REPORT_DONE -> {
                        ReportDone d = m.getReportDone();
                        if (d.getAddressesCount() == 0) {
                            log.warn("the scheduler reported {} done with no holder", WireCodec.key(d.getKey()));
                        } else {
                            listener.ready(WireCodec.key(d.getKey()), () -> demand(d));
                        }
                    }
                    case REPORT_ERRED -> {
                        var e = m.getReportErred();
                        fetchFailures.remove(WireCodec.key(e.getKey()));
                        listener.erred(WireCodec.key(e.getKey()), error(e.getError()));
                    }
                    case WORKERS_RETIRED -> {
                        var r = m.getWorkersRetired();
                        CompletableFuture<List<String>> f = retirements.remove(r.getRequest());
                        if (f != null) {
                            f.complete(List.copyOf(r.getWorkersList()));
                        }
                    }
                    case REPORT_STALLED -> listener.stalled(WireCodec.key(m.getReportStalled().getKey()),
                            m.getReportStalled().getReason());
                    default -> log.warn("ignored a {} message from the scheduler", m.getKindCase());
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            welcome.completeExceptionally(t);
            ended("the connection to the scheduler at " + address + " was lost: " + describe(t));
        }

        @Override
        public void onCompleted() {
            welcome.completeExceptionally(new IllegalStateException("the scheduler closed the connection"));
            ended("the scheduler at " + address + " closed the connection");
        }

        private void ended(String reason) {
            boolean wasClosed = closed;
            closed = true;
            retirements.values().forEach(f -> f.completeExceptionally(new IllegalStateException(reason)));
            retirements.clear();
            if (!wasClosed && listener != null) {
                listener.clusterClosed(reason);
            }
        }
    }

    private TaskError error(dev.burst.internal.protocol.wire.TaskError e) {
        Throwable exception = null;
        if (!e.getException().isEmpty()) {
            try {
                exception = codec.decodeException(e.getException());
            } catch (RuntimeException notHere) {
                log.debug("cannot rebuild the exception of a failed task: {}", notHere.toString());
            }
        }
        return new TaskError(e.getType(), e.getMessage(), exception);
    }

    /**
     * A result is wanted (its future is waited on): queue its fetch. Fetches queued together go out
     * together, one request per worker, so that gathering 20,000 results costs a few requests.
     */
    private void demand(ReportDone d) {
        demanded.add(d);
        if (!IN_ENVELOPE.get()) {
            scheduleFetches();
        } // else the envelope's reader schedules once, after all its reports: one request per worker
    }

    private void scheduleFetches() {
        if (!demanded.isEmpty() && fetchScheduled.compareAndSet(false, true)) {
            FETCHERS.execute(this::fetchDemanded);
        }
    }

    /** True on a thread reading an envelope from the scheduler. */
    private static final ThreadLocal<Boolean> IN_ENVELOPE = ThreadLocal.withInitial(() -> false);

    private void fetchDemanded() {
        fetchScheduled.set(false);
        Map<String, List<ReportDone>> byWorker = new LinkedHashMap<>();
        ReportDone d;
        while ((d = demanded.poll()) != null) {
            byWorker.computeIfAbsent(d.getAddresses(0), a -> new ArrayList<>()).add(d);
        }
        for (Map.Entry<String, List<ReportDone>> e : byWorker.entrySet()) {
            gather(e.getKey(), e.getValue(), 0);
        }
    }

    private final java.util.concurrent.ConcurrentLinkedQueue<ReportDone> demanded = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean fetchScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private static final java.util.concurrent.ExecutorService FETCHERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "burst-fetch");
        t.setDaemon(true);
        return t;
    });

    /**
     * Fetches the results of {@code reports} from the worker at {@code address} ({@code attempt}:
     * which holder of each report). A key that worker lost is tried at its next holder; with none
     * left, the scheduler, which learns of the loss too, recomputes it and reports it again.
     */
    private void gather(String address, List<ReportDone> reports, int attempt) {
        DataRequest.Builder req = DataRequest.newBuilder();
        Map<TaskKey, ReportDone> pending = new LinkedHashMap<>();
        for (ReportDone d : reports) {
            req.addKeys(d.getKey());
            pending.put(WireCodec.key(d.getKey()), d);
        }
        ManagedChannel worker;
        try {
            worker = workers.computeIfAbsent(address,
                    a -> Transport.workerChannel(BurstAddress.parse(a), this.address, credentials));
        } catch (RuntimeException e) {
            retry(List.copyOf(pending.values()), attempt, e.toString());
            return;
        }
        List<TaskKey> got = new ArrayList<>();
        WorkerGrpc.newStub(worker).getData(req.build(), new ChunkAssembler() {
            @Override
            protected void received(TaskKey key, String session, byte[] bytes) {
                if (pending.remove(key) == null || closed) {
                    return;
                }
                fetchFailures.remove(key);
                Object value;
                try {
                    value = codec.decode(ByteString.copyFrom(bytes));
                } catch (RuntimeException e) {
                    listener.erred(key, new TaskError("dev.burst.BurstException",
                            "the result of " + key + " cannot be read on this client: " + e.getMessage(), null));
                    return;
                }
                listener.done(key, value);
                got.add(key);
            }

            @Override
            protected void missing(TaskKey key) {
                ReportDone d = pending.remove(key);
                if (d != null) {
                    retry(List.of(d), attempt, "the worker no longer holds it");
                }
            }

            @Override
            protected void finished(Throwable error) {
                if (!got.isEmpty()) {
                    receivedResults(got);
                }
                if (!pending.isEmpty()) {
                    retry(List.copyOf(pending.values()), attempt, error == null ? "not sent" : describe(error));
                }
            }
        });
    }

    /** Tells the scheduler this client holds these results now: their loss needs no recompute. */
    private synchronized void receivedResults(List<TaskKey> keys) {
        if (!closed) {
            sender.send(WireCodec.encodeReceived(keys, stimulus("received")));
        }
    }

    private void retry(List<ReportDone> reports, int attempt, String why) {
        if (closed) {
            return;
        }
        Map<String, List<ReportDone>> next = new LinkedHashMap<>();
        for (ReportDone d : reports) {
            if (attempt + 1 < d.getAddressesCount()) {
                next.computeIfAbsent(d.getAddresses(attempt + 1), a -> new ArrayList<>()).add(d);
            } else {
                askWhoHas(WireCodec.key(d.getKey()), d.getAddresses(attempt), why);
            }
        }
        for (Map.Entry<String, List<ReportDone>> e : next.entrySet()) {
            gather(e.getKey(), e.getValue(), attempt + 1);
        }
    }

    /**
     * No holder the scheduler named could give {@code key} (it died, or retired and its results
     * moved): ask the scheduler again, after a back-off that lets it first learn of a worker's
     * death. It answers with the holders it knows now, or, if the result is being recomputed,
     * reports it when done.
     */
    private void askWhoHas(TaskKey key, String lastHolder, String why) {
        if (fetchFailures.putIfAbsent(key, 0) == null) { // one asking loop per key
            log.info("result of {} could not be fetched from {} ({}); asking the scheduler where it is now", key, lastHolder, why);
            askAgain(key);
        }
    }

    /**
     * Asks until the result is fetched, fails, or is no longer wanted: if it is being recomputed
     * (its holders died), the scheduler can answer only once that is done. Back-off 100 ms to 2 s.
     */
    private void askAgain(TaskKey key) {
        Integer n = fetchFailures.computeIfPresent(key, (k, v) -> v + 1);
        if (n == null || closed) {
            return;
        }
        RETRIES.schedule(() -> {
            if (!closed && fetchFailures.containsKey(key)) {
                sender.send(Message.newBuilder().setWhoHas(dev.burst.internal.protocol.wire.WhoHas.newBuilder()
                        .addKeys(WireCodec.key(key))).build());
                askAgain(key);
            }
        }, Math.min(2_000, 50L << Math.min(n, 6)), TimeUnit.MILLISECONDS);
    }
}
