package dev.burst.internal.workerprocess;

import com.google.protobuf.ByteString;
import dev.burst.internal.codeshipping.BlobFetcher;
import dev.burst.internal.codeshipping.ClasspathOffer;
import dev.burst.internal.codeshipping.SessionLoaders;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.executor.WorkerEnvironment;
import dev.burst.internal.executor.WorkerShell;
import dev.burst.internal.protocol.ObjectCodec;
import dev.burst.internal.protocol.RemotePayload;
import dev.burst.internal.protocol.WireCodec;
import dev.burst.internal.protocol.wire.ClusterIdentity;
import dev.burst.internal.protocol.wire.DataRequest;
import dev.burst.internal.protocol.wire.Envelope;
import dev.burst.internal.protocol.wire.Heartbeat;
import dev.burst.internal.protocol.wire.Hello;
import dev.burst.internal.protocol.wire.IdentityRequest;
import dev.burst.internal.protocol.wire.Message;
import dev.burst.internal.protocol.wire.Role;
import dev.burst.internal.protocol.wire.SchedulerGrpc;
import dev.burst.internal.protocol.wire.WorkerGrpc;
import dev.burst.internal.resources.GpuDetection;
import dev.burst.internal.store.ObjectStore;
import dev.burst.internal.store.ValueCodec;
import dev.burst.internal.task.SizeEstimate;
import dev.burst.internal.task.TaskCall.TaskArguments;
import dev.burst.internal.task.TaskCall;
import dev.burst.internal.transport.ArgumentsCodec;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ChunkAssembler;
import dev.burst.internal.transport.ClusterCredentials;
import dev.burst.internal.transport.EnvelopeSender;
import dev.burst.internal.transport.Transport;
import dev.burst.internal.worker.GpuSlots;
import dev.burst.internal.worker.WorkerCommand;
import dev.burst.internal.worker.WorkerEvent;
import dev.burst.internal.worker.WorkerState;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker process: the {@link WorkerShell} every worker shares (executor threads around
 * {@link WorkerState}), with an {@link ObjectStore} that spills to disk, a data server its peers and
 * clients fetch results from, client sessions, heartbeats and one stream to the scheduler.
 *
 * <p>Design notes. The shell owns the state, its lock and the executors; this class gives it what a
 * process does differently ({@link ProcessEnvironment}). Nothing blocking happens under the shell's
 * lock: fetches are started after it is released and answer asynchronously, spills are written
 * after it, and reports go to an {@link EnvelopeSender} that batches them. Task code is decoded in
 * its client session's class loader ({@link SessionLoaders}); a {@code map}'s function is decoded
 * once per session and cached by its bytes. The worker's id is its data address, so holders named
 * by the scheduler are where to fetch from.
 */
public final class WorkerNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerNode.class);
    /** How long closing waits, in all, for interrupted tasks to stop. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    /**
     * How to start a worker. {@code memoryLimit} in bytes; {@code name} is for logs only;
     * {@code serving} is the cluster's TLS identity when the worker can read it locally (worker
     * processes of a local cluster), null to ask the scheduler for it. {@code gpuDevices} are the
     * GPU device indices handed to tasks that hold {@code gpu} (see {@link GpuDetection}).
     */
    public record Settings(BurstAddress scheduler, ClusterCredentials credentials, int threads, long memoryLimit,
                           ResourceAmounts extraResources, String bindHost, String name, Path workDir,
                           ClusterCredentials serving, BeforeJoin beforeJoin, List<Integer> gpuDevices) {
    }

    private final Settings settings;
    private final ManagedChannel schedulerChannel;
    private final ClusterCredentials peerCredentials;
    private final Server dataServer;
    private final WorkerId id;
    private final ResourceAmounts resources;
    private final ObjectStore store;
    private final SessionLoaders loaders;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, ManagedChannel> peers = new ConcurrentHashMap<>();
    /** Executors, the worker's state and its lock; what is particular to a process is in {@link ProcessEnvironment}. */
    private final WorkerShell shell;
    private final EnvelopeSender toScheduler;
    private final ScheduledExecutorService heartbeats;

    /** Why a session's classpath could not be loaded here, for the errors of its tasks. */
    private final Map<String, String> sessionFailures = new ConcurrentHashMap<>();
    private final AtomicLong keysFetched = new AtomicLong();
    private final CountDownLatch welcomed = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String refusal;
    /** Whether the hello went out; before that, a spare's broken stream means it can never join. */
    private volatile boolean helloSent;
    private volatile boolean closed;

    /** A client session: its class loader, codec, and functions decoded so far. */
    private record Session(ObjectCodec codec, ValueCodec values, Map<ByteString, Object> functions,
                           Map<ByteString, TaskArguments> arguments) {
    }

    /** A result fetched from a peer, still in bytes. */
    private record Fetched(byte[] bytes, String session) {
    }

    /**
     * Connects to the scheduler and starts working; returns once the scheduler has welcomed it.
     *
     * @throws IOException when the scheduler cannot be reached or refuses this worker
     */
    public WorkerNode(Settings settings) throws IOException {
        if (settings.threads() < 1) {
            throw new IllegalArgumentException("a worker needs at least 1 thread, got " + settings.threads());
        }
        if (settings.memoryLimit() <= 0) {
            throw new IllegalArgumentException("a worker's memory limit must be > 0 bytes, got " + settings.memoryLimit());
        }
        this.settings = settings;
        Files.createDirectories(settings.workDir());
        this.peerCredentials = settings.credentials();
        this.store = new ObjectStore(settings.memoryLimit(), settings.workDir().resolve("spill"));
        // With the identity at hand, the data server starts while the scheduler channel is set up:
        // each costs about half a second of a fresh JVM, which is most of a worker's start.
        java.util.concurrent.CompletableFuture<Server> server = settings.serving() == null ? null
                : java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> Transport.server(settings.bindHost(), 0, settings.serving(), new ResultServer(store)));
        try {
            this.schedulerChannel = Transport.channel(settings.scheduler(), settings.credentials());
        } catch (RuntimeException e) {
            if (server != null) {
                server.thenAccept(Server::shutdownNow);
            }
            throw e;
        }
        if (server == null) {
            ClusterIdentity identity;
            try {
                identity = SchedulerGrpc.newBlockingStub(schedulerChannel).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .identity(IdentityRequest.newBuilder().setProtocolVersion(WireCodec.PROTOCOL_VERSION).build());
            } catch (RuntimeException e) {
                schedulerChannel.shutdownNow();
                throw new IOException("cannot reach the scheduler at " + settings.scheduler() + ": " + e.getMessage(), e);
            }
            try {
                ClusterCredentials serving = ClusterCredentials.withIdentity(identity.getPrivateKeyPkcs8().toByteArray(),
                        identity.getCertificateDer().toByteArray(), settings.credentials().token(), identity.getClientToken());
                this.dataServer = Transport.server(settings.bindHost(), 0, serving, new ResultServer(store));
            } catch (RuntimeException e) {
                schedulerChannel.shutdownNow();
                throw e;
            }
        } else {
            try {
                this.dataServer = server.join();
            } catch (java.util.concurrent.CompletionException e) {
                schedulerChannel.shutdownNow();
                throw new IOException("cannot start the data server: " + e.getCause().getMessage(), e.getCause());
            }
        }
        this.id = new WorkerId(settings.bindHost() + ":" + dataServer.getPort());
        Map<String, Double> offered = new LinkedHashMap<>(settings.extraResources().amounts());
        offered.put(ResourceAmounts.CPU, (double) settings.threads());
        this.resources = ResourceAmounts.of(offered);
        GpuSlots gpuSlots = new GpuSlots(settings.gpuDevices());
        try {
            this.loaders = new SessionLoaders(settings.workDir().resolve("blobs"),
                    ClasspathOffer.ofThisJvm(settings.workDir().resolve("classpath")),
                    BlobFetcher.fromScheduler(SchedulerGrpc.newBlockingStub(schedulerChannel), java.time.Duration.ofMinutes(5)));
        } catch (RuntimeException e) {
            store.close();
            dataServer.shutdownNow();
            schedulerChannel.shutdownNow();
            throw e;
        }
        this.shell = new WorkerShell(new WorkerState(id, resources, 10_000), settings.threads(), "burst-worker-thread-",
                gpuSlots, new ProcessEnvironment());
        shell.start();

        StreamObserver<Envelope> out = SchedulerGrpc.newStub(schedulerChannel).connect(new FromScheduler());
        this.toScheduler = new EnvelopeSender(out, "scheduler " + settings.scheduler());
        Message hello = Message.newBuilder().setHello(Hello.newBuilder()
                .setProtocolVersion(WireCodec.PROTOCOL_VERSION).setRole(Role.ROLE_WORKER)
                .setToken(settings.credentials().token()).setName(settings.name())
                .putAllResources(resources.amounts()).setPeerAddress(id.name())
                .setThreads(settings.threads()).setMemoryLimit(settings.memoryLimit())).build();
        if (settings.beforeJoin() != null) {
            // A spare opens its stream (TLS, HTTP/2, the call) and encodes a hello before it waits:
            // measured here, a stream opened after the wait took 0.1-0.26 s to carry its first
            // message (cold gRPC and protobuf code), most of a promoted spare's join.
            Envelope.newBuilder().addMessages(hello).build().toByteArray();
            boolean join;
            try {
                join = settings.beforeJoin().await();
            } catch (IOException | RuntimeException e) {
                join = false;
            }
            if (!join) {
                toScheduler.complete();
                closeUnjoined();
                throw new IOException(BeforeJoin.NOT_JOINING);
            }
            if (closed) { // the stream opened early broke while this spare waited
                throw new IOException("the connection to the scheduler at " + settings.scheduler()
                        + " closed while this spare waited" + (refusal == null ? "" : ": " + refusal));
            }
        }
        helloSent = true;
        toScheduler.send(hello);
        try {
            if (!welcomed.await(30, TimeUnit.SECONDS)) {
                close();
                throw new IOException("the scheduler at " + settings.scheduler() + " did not answer within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while connecting to " + settings.scheduler(), e);
        }
        if (refusal != null) {
            close();
            throw new IOException("the scheduler at " + settings.scheduler() + " refused this worker: " + refusal);
        }
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "burst-worker-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeats.scheduleAtFixedRate(this::heartbeat, 1, 1, TimeUnit.SECONDS);
        log.info("worker {} connected to {} ({} threads, memory limit {} MiB)", id, settings.scheduler(),
                settings.threads(), settings.memoryLimit() >> 20);
    }

    public WorkerId id() {
        return id;
    }

    /** Waits until the worker has stopped (the scheduler told it to, or went away). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    // ---------------------------------------------------------------- from the scheduler

    private final class FromScheduler implements StreamObserver<Envelope> {
        /** Functions the scheduler defined on this stream (its gRPC thread only). */
        private final dev.burst.internal.protocol.FunctionTable.Receiving functions = new dev.burst.internal.protocol.FunctionTable.Receiving();

        @Override
        public void onNext(Envelope envelope) {
            List<WorkerEvent> events = new ArrayList<>(envelope.getMessagesCount());
            for (Message m : envelope.getMessagesList()) {
                switch (m.getKindCase()) {
                    case WELCOME -> welcomed.countDown();
                    case SESSION_OPENED -> openSession(m.getSessionOpened());
                    case SESSION_CLOSED -> closeSession(m.getSessionClosed().getSession());
                    case SESSION_CLASSES -> loaders.addClasses(m.getSessionClasses().getSession(), m.getSessionClasses().getClassesList());
                    case FUNCTION_DEFINITION -> functions.define(m.getFunctionDefinition());
                    case COMPUTE_TASK -> events.add(WireCodec.decode(m.getComputeTask(), functions));
                    case FREE_KEYS -> events.add(WireCodec.decode(m.getFreeKeys()));
                    case COPY_KEYS -> events.add(WireCodec.decode(m.getCopyKeys()));
                    case STEAL_REQUEST -> events.add(WireCodec.decode(m.getStealRequest()));
                    case SHUTDOWN -> {
                        log.info("worker {}: the scheduler asked it to stop ({})", id, m.getShutdown().getReason());
                        shell.deliver(events);
                        events = new ArrayList<>();
                        Thread.ofPlatform().daemon().start(WorkerNode.this::close);
                    }
                    default -> log.warn("worker {} ignored a {} message from the scheduler", id, m.getKindCase());
                }
            }
            shell.deliver(events);
        }

        @Override
        public void onError(Throwable t) {
            refusal = describe(t);
            welcomed.countDown();
            if (!helloSent && settings.beforeJoin() != null) {
                settings.beforeJoin().abandoned("lost the scheduler at " + settings.scheduler() + " (" + refusal + ")");
            }
            if (!closed) {
                log.warn("worker {}: lost the scheduler at {} ({}); stopping", id, settings.scheduler(), refusal);
                Thread.ofPlatform().daemon().start(WorkerNode.this::close);
            }
        }

        @Override
        public void onCompleted() {
            welcomed.countDown();
            if (!helloSent && settings.beforeJoin() != null) {
                settings.beforeJoin().abandoned("the scheduler at " + settings.scheduler() + " closed the connection");
            }
            if (!closed) {
                log.info("worker {}: the scheduler closed the connection; stopping", id);
                Thread.ofPlatform().daemon().start(WorkerNode.this::close);
            }
        }
    }

    private static String describe(Throwable t) {
        io.grpc.Status s = io.grpc.Status.fromThrowable(t);
        return s.getDescription() != null ? s.getCode() + ": " + s.getDescription() : s.getCode().toString();
    }

    private void openSession(dev.burst.internal.protocol.wire.SessionOpened m) {
        if (sessions.containsKey(m.getSession())) {
            return;
        }
        try {
            ClassLoader loader = loaders.open(m.getSession(), m.getClasspathList());
            ObjectCodec codec = new ObjectCodec(loader);
            sessions.put(m.getSession(), new Session(codec, new SessionValues(m.getSession(), codec),
                    new ConcurrentHashMap<>(), new ConcurrentHashMap<>()));
        } catch (IOException | RuntimeException e) {
            // Its tasks fail with this reason when they run (runAndReport), not silently.
            sessionFailures.put(m.getSession(), e.toString());
            log.warn("worker {}: cannot load the classpath of session {}: {}", id, m.getSession(), e.toString());
        }
    }

    private void closeSession(String session) {
        sessions.remove(session);
        sessionFailures.remove(session);
        loaders.close(session);
    }

    /** A session's values through its codec, for the store. */
    private record SessionValues(String session, ObjectCodec codec) implements ValueCodec {
        @Override
        public byte[] encode(Object value) {
            return codec.encode(value).toByteArray();
        }

        @Override
        public Object decode(byte[] bytes) {
            return codec.decode(ByteString.copyFrom(bytes));
        }
    }

    /**
     * What is particular to a worker process; the shell calls it. Results live in the
     * {@link ObjectStore} (spills are written after the shell's lock is released), tasks are decoded
     * in their session's class loader, fetches go to peers' data servers, reports to the scheduler
     * through the {@link EnvelopeSender}, which batches them.
     */
    private final class ProcessEnvironment implements WorkerEnvironment {
        @Override
        public Runnable store(TaskKey key, Object value) {
            if (value instanceof Fetched f) {
                Session s = sessions.get(f.session());
                // A session this worker was never told of (a copy for a retirement, say): Burst's own loader.
                return store.putBytesDeferringSpill(key, f.bytes(), s != null ? s.values() : orphanValues(f.session()));
            } else if (value instanceof Computed c) {
                return store.putDeferringSpill(key, c.value(), c.size(), c.session().values());
            }
            throw new IllegalStateException("no value to store for " + key);
        }

        @Override
        public void drop(TaskKey key) {
            store.remove(key);
        }

        @Override
        public boolean paused() {
            return store.paused();
        }

        @Override
        public TaskResult run(WorkerCommand.Execute x) throws Exception {
            RemotePayload p = (RemotePayload) x.payload();
            Session s = sessions.get(p.session());
            if (s == null) {
                throw new IllegalStateException("the classpath of client session " + p.session()
                        + " could not be loaded on worker " + id + ": " + sessionFailures.getOrDefault(p.session(), "not sent"));
            }
            if (s.functions().size() > 1024) {
                s.functions().clear(); // a loop of capturing lambdas: each is new; keep only recent ones
            }
            Object function = s.functions().computeIfAbsent(p.function(), b -> s.codec().decode(b));
            TaskArguments arguments = ArgumentsCodec.isShareable(p.arguments())
                    ? s.arguments().computeIfAbsent(p.arguments(), b -> ArgumentsCodec.decode(b, s.codec()))
                    : ArgumentsCodec.decode(p.arguments(), s.codec());
            Object[] inputs = new Object[x.dependencies().size()];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = store.get(x.dependencies().get(i));
            }
            Thread me = Thread.currentThread();
            ClassLoader before = me.getContextClassLoader();
            me.setContextClassLoader(s.codec().classLoader());
            Object value;
            try {
                value = TaskCall.invoke(function, arguments, inputs);
            } finally {
                me.setContextClassLoader(before);
            }
            long size = SizeEstimate.of(value);
            return new TaskResult(new Computed(value, size, s), size);
        }

        @Override
        public void fetch(List<WorkerCommand.Fetch> fetches, FetchAnswers answers) {
            startFetches(fetches, answers);
        }

        @Override
        public void report(List<SchedulerReport> reports) {
            List<Message> messages = new ArrayList<>(reports.size());
            for (SchedulerReport r : reports) {
                messages.add(switch (r.command()) {
                    case WorkerCommand.SendFinished f -> WireCodec.encode(f, r.stimulusId());
                    case WorkerCommand.SendFailed f -> WireCodec.encode(f, r.stimulusId(), exceptionBytes(f.error()));
                    case WorkerCommand.SendDataMissing m -> WireCodec.encode(m, r.stimulusId());
                    case WorkerCommand.SendKeysCopied k -> WireCodec.encode(k, r.stimulusId());
                    case WorkerCommand.SendStealAnswer a -> WireCodec.encode(a, r.stimulusId());
                });
            }
            toScheduler.sendAll(messages);
        }
    }

    private final Map<String, ValueCodec> orphans = new ConcurrentHashMap<>();

    private ValueCodec orphanValues(String session) {
        return orphans.computeIfAbsent(session, n -> new SessionValues(n, new ObjectCodec(WorkerNode.class.getClassLoader())));
    }

    /** A value an execution returned, with the session it belongs to. */
    private record Computed(Object value, long size, Session session) {
    }

    private ByteString exceptionBytes(TaskError error) {
        if (error.exception() == null) {
            return ByteString.EMPTY;
        }
        ClassLoader l = error.exception().getClass().getClassLoader();
        return new ObjectCodec(l == null ? getClass().getClassLoader() : l).encodeException(error.exception());
    }

    // ---------------------------------------------------------------- fetching from peers

    private void startFetches(List<WorkerCommand.Fetch> fetchList, WorkerEnvironment.FetchAnswers answers) {
        // One request per holder for all the keys wanted from it.
        Map<WorkerId, List<WorkerCommand.Fetch>> byHolder = new LinkedHashMap<>();
        for (WorkerCommand.Fetch f : fetchList) {
            if (f.holders().isEmpty()) {
                answers.notFetched(f.key(), null);
                continue;
            }
            byHolder.computeIfAbsent(f.holders().get(0), k -> new ArrayList<>()).add(f);
        }
        for (Map.Entry<WorkerId, List<WorkerCommand.Fetch>> e : byHolder.entrySet()) {
            fetchFrom(e.getKey(), e.getValue(), 0, answers);
        }
    }

    /** Asks {@code holder} for the keys of {@code wanted}; a key it lacks is tried at its next holder. */
    private void fetchFrom(WorkerId holder, List<WorkerCommand.Fetch> wanted, int attempt, WorkerEnvironment.FetchAnswers answers) {
        DataRequest.Builder req = DataRequest.newBuilder();
        Map<TaskKey, WorkerCommand.Fetch> pending = new LinkedHashMap<>();
        for (WorkerCommand.Fetch f : wanted) {
            req.addKeys(WireCodec.key(f.key()));
            pending.put(f.key(), f);
        }
        ManagedChannel channel;
        try {
            channel = peer(holder);
        } catch (RuntimeException e) {
            for (WorkerCommand.Fetch f : wanted) {
                retryOrFail(f, holder, attempt, answers);
            }
            return;
        }
        WorkerGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES).getData(req.build(), new ChunkAssembler() {
            @Override
            protected void received(TaskKey key, String session, byte[] bytes) {
                WorkerCommand.Fetch f = pending.remove(key);
                if (f != null) {
                    keysFetched.incrementAndGet();
                    answers.fetched(key, new Fetched(bytes, session), bytes.length);
                }
            }

            @Override
            protected void missing(TaskKey key) {
                WorkerCommand.Fetch f = pending.remove(key);
                if (f != null) {
                    retryOrFail(f, holder, attempt, answers);
                }
            }

            @Override
            protected void finished(Throwable error) {
                if (error != null && !closed) {
                    log.debug("worker {}: fetch from {} failed: {}", id, holder, error.toString());
                }
                for (WorkerCommand.Fetch f : List.copyOf(pending.values())) {
                    retryOrFail(f, holder, attempt, answers);
                }
                pending.clear();
            }
        });
    }

    private void retryOrFail(WorkerCommand.Fetch f, WorkerId failed, int attempt, WorkerEnvironment.FetchAnswers answers) {
        int next = attempt + 1;
        if (next < f.holders().size()) {
            fetchFrom(f.holders().get(next), List.of(f), next, answers);
        } else {
            answers.notFetched(f.key(), failed);
        }
    }

    private ManagedChannel peer(WorkerId holder) {
        return peers.computeIfAbsent(holder.name(), a -> Transport.channel(BurstAddress.parse(a), peerCredentials));
    }

    // ---------------------------------------------------------------- heartbeats and shutdown

    private void heartbeat() {
        if (closed) {
            return;
        }
        sendHeartbeat();
    }

    /**
     * Sends the figures now (also once more at close, so the ledger gets the last second's). Busy
     * and GPU time include the tasks running now: a long task shows in the ledger while it runs,
     * and still counts if the worker is stopped or killed before it ends.
     */
    private void sendHeartbeat() {
        toScheduler.send(Message.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                .setMemoryBytes(store.memoryBytes()).setSpilledBytes(store.spilledBytes()).setPaused(store.paused())
                .setBusyNanos(shell.busyNanos()).setTasksRun(shell.tasksRun()).setKeysFetched(keysFetched.get())
                .setSpillCount(store.spillCount()).setCpuNanos(shell.cpuNanos()).setGpuBusyNanos(shell.gpuBusyNanos())
                .setExecuting(shell.executing())).build());
    }

    /** Releases what a worker that never joined holds. */
    private void closeUnjoined() {
        closed = true;
        shell.close(Duration.ZERO);
        dataServer.shutdownNow();
        schedulerChannel.shutdownNow();
        loaders.close();
        store.close();
        stopped.countDown();
    }

    /** Stops executors (interrupting running tasks), closes connections, deletes spilled results. */
    @Override
    public void close() {
        synchronized (this) { // the scheduler's shutdown and a broken stream may both ask
            if (closed) {
                return;
            }
            closed = true;
        }
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
        // Tasks are interrupted and given a moment to stop, so the last heartbeat counts each up to its end.
        shell.close(CLOSE_WAIT);
        if (toScheduler != null) {
            try {
                if (welcomed.getCount() == 0 && refusal == null) { // only a worker that joined has figures to tell
                    sendHeartbeat();
                }
            } catch (RuntimeException e) {
                log.debug("worker {}: no last heartbeat: {}", id, e.toString());
            }
            toScheduler.complete();
        }
        dataServer.shutdownNow();
        peers.values().forEach(ManagedChannel::shutdownNow);
        schedulerChannel.shutdownNow();
        loaders.close();
        store.close();
        stopped.countDown();
        log.info("worker {} stopped", id);
    }
}
