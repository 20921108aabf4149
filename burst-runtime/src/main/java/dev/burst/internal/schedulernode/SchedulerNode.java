package dev.burst.internal.schedulernode;

import com.google.protobuf.ByteString;
import dev.burst.internal.codeshipping.BlobStore;
import dev.burst.internal.codeshipping.BlobTransfer;
import dev.burst.internal.codeshipping.ClasspathOffer;
import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.loop.ClientLink;
import dev.burst.internal.loop.SchedulerLoop;
import dev.burst.internal.loop.WorkerLink;
import dev.burst.internal.protocol.RemotePayload;
import dev.burst.internal.protocol.WireCodec;
import dev.burst.internal.protocol.wire.BlobChunk;
import dev.burst.internal.protocol.wire.BlobList;
import dev.burst.internal.protocol.wire.BlobRequest;
import dev.burst.internal.protocol.wire.ClasspathEntry;
import dev.burst.internal.protocol.wire.ClusterIdentity;
import dev.burst.internal.protocol.wire.Envelope;
import dev.burst.internal.protocol.wire.Hello;
import dev.burst.internal.protocol.wire.IdentityRequest;
import dev.burst.internal.protocol.wire.Message;
import dev.burst.internal.protocol.wire.Role;
import dev.burst.internal.protocol.wire.SchedulerGrpc;
import dev.burst.internal.protocol.wire.SessionOpened;
import dev.burst.internal.protocol.wire.Shutdown;
import dev.burst.internal.protocol.wire.Welcome;
import dev.burst.internal.scheduler.SchedulerCommand;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.scheduler.SchedulerState;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ClusterCredentials;
import dev.burst.internal.transport.EnvelopeSender;
import dev.burst.internal.transport.Transport;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler as a network service: a {@link SchedulerLoop} owning the {@link SchedulerState},
 * behind a gRPC server. Network threads only decode messages and post events; the loop thread
 * decides, and hands commands to one {@link Connection} per worker or client, which batches them
 * into envelopes.
 *
 * <p>A connection opens with {@code Hello}. A wrong token never gets this far (the transport's
 * interceptor refuses the call); another protocol version, a missing role or a first message that
 * is not a hello is refused here with one log line, and the scheduler keeps serving everyone else.
 * A worker's id is its data address ({@code host:port}), so holders in reports are addresses
 * clients and peers can fetch from.
 */
public final class SchedulerNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchedulerNode.class);
    /** Client key ranges: client n numbers its keys from n × 2^40. */
    private static final int KEY_RANGE_BITS = 40;
    private static final long NETWORK_LATENCY_HIDING_NANOS = 20_000_000L;

    private final SchedulerLoop loop;
    private final ClusterCredentials credentials;
    private final BlobStore blobs;
    private final BlobTransfer blobTransfer;
    private final Server server;
    private final BurstAddress address;
    /** Each client session's classpath, sent to a worker before that session's first task. */
    private final Map<String, List<ClasspathEntry>> sessions = new ConcurrentHashMap<>();
    /**
     * Each client session's in-memory classes, in the order they came (appended by its stream's
     * thread before the tasks that need them, read on the loop), for workers before its tasks.
     */
    private final Map<String, List<dev.burst.internal.protocol.wire.ShippedClass>> sessionClasses = new ConcurrentHashMap<>();
    private final Map<WorkerId, Connection> workers = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Map<WorkerId, WorkerFigures> figures = new ConcurrentHashMap<>();
    /** The names workers that ever connected gave themselves (kept after they leave, like their figures). */
    private final Map<WorkerId, String> names = new ConcurrentHashMap<>();
    /** Key ranges handed to clients (client ids come from the loop; ranges need only be distinct). */
    private final AtomicLong keyRanges = new AtomicLong();
    private volatile boolean closed;

    /**
     * Starts a scheduler listening on {@code bindHost:port} (port 0: any free port).
     *
     * @param credentials the cluster's identity and token ({@link ClusterCredentials#forScheduler})
     * @param workDir     where uploaded classpath blobs are kept
     */
    public SchedulerNode(String bindHost, int port, ClusterCredentials credentials, SchedulerConfig config, Path workDir)
            throws IOException {
        this.credentials = credentials;
        this.blobs = new BlobStore(workDir.resolve("blobs"), ClasspathOffer.ofThisJvm(workDir.resolve("classpath")));
        this.blobTransfer = new BlobTransfer(blobs);
        // A result's round trip over the network (batched, TLS) takes around a millisecond, not the
        // microseconds of the embedded cluster: let workers hold enough very short tasks to hide it.
        SchedulerConfig networked = config.withLatencyHidingNanos(Math.max(config.latencyHidingNanos(), NETWORK_LATENCY_HIDING_NANOS));
        this.loop = new SchedulerLoop(new SchedulerState(networked), "burst");
        Service service = new Service();
        this.server = Transport.server(bindHost, port, credentials,
                () -> ServerInterceptors.intercept(service, new RemoteAddressInterceptor()));
        loop.start(); // only once the port is ours: a failed bind leaves no thread behind
        this.address = new BurstAddress(bindHost, server.getPort());
        log.info("scheduler listening at {}", address);
    }

    /** The loop that owns the scheduler state (for an adaptive controller in this JVM). */
    public SchedulerLoop loop() {
        return loop;
    }

    public BurstAddress address() {
        return address;
    }

    public ClusterCredentials credentials() {
        return credentials;
    }

    /** The ids of the workers connected now. */
    public List<WorkerId> workerIds() {
        return List.copyOf(workers.keySet());
    }

    /** The name a worker that connected gave itself, or its id's name. */
    public String workerName(WorkerId id) {
        return names.getOrDefault(id, id.name());
    }

    /**
     * Gives {@code ledger} the figures of every worker it accounts for (by the name the worker
     * gave itself); workers started by hand against this scheduler are not its to account.
     */
    public void reportFigures(dev.burst.internal.usage.UsageLedger ledger) {
        for (WorkerFigures f : figures.values()) {
            String worker = workerName(f.worker());
            if (ledger.knows(worker)) {
                ledger.workerFigures(worker, f.busyNanos(), f.gpuBusyNanos(), f.cpuNanos(), f.tasksRun(), f.spilledBytes());
            }
        }
    }

    /** The last heartbeat figures of every worker that ever connected (for usage). */
    public List<WorkerFigures> workerFigures() {
        return List.copyOf(figures.values());
    }

    /** Runs {@code action} on the scheduler thread and waits; for tests that inspect the state. */
    public void inspect(java.util.function.Consumer<SchedulerState> action) throws InterruptedException {
        loop.runOnLoop(() -> action.accept(loop.state()));
    }

    /** Tells workers to stop, closes every connection and the server. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.close("the scheduler at " + address + " was closed");
        for (Connection c : connections) {
            if (c.role == Role.ROLE_WORKER) {
                c.sender.send(Message.newBuilder().setShutdown(Shutdown.newBuilder().setReason("the scheduler is closing")).build());
            }
            c.sender.complete();
        }
        server.shutdown();
        try {
            if (!server.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }

    /**
     * What a worker's last heartbeat said ({@code reported…}, up to a second behind), and what its
     * finished-task reports add up to ({@code finished…}, exact but without failed tasks).
     *
     * @param executing tasks on its executor threads at its last heartbeat
     */
    public record WorkerFigures(WorkerId worker, int threads, long memoryBytes, long spilledBytes, boolean paused,
                                long reportedBusyNanos, long reportedTasks, long keysFetched, long spillCount, long cpuNanos,
                                long finishedNanos, long finishedTasks, long gpuBusyNanos, int executing) {
        /** Time spent running tasks: the larger of the two counts (both only grow). */
        public long busyNanos() {
            return Math.max(reportedBusyNanos, finishedNanos);
        }

        /** Tasks run: the larger of the two counts. */
        public long tasksRun() {
            return Math.max(reportedTasks, finishedTasks);
        }
    }

    // ---------------------------------------------------------------- the service

    /** Clients that asked where a result is while it was being recomputed; answered when it finishes. */
    private final Map<TaskKey, Set<Connection>> awaitingHolders = new ConcurrentHashMap<>();

    /** On the loop: tells the clients waiting for {@code key}'s holders, if it is in memory now. */
    private void answerWhoHas(TaskKey key) {
        List<WorkerId> holders = loop.state().whoHas(key);
        if (holders.isEmpty()) {
            return; // not this run (a stale report); a later finish answers
        }
        Set<Connection> waiting = awaitingHolders.remove(key);
        if (waiting != null) {
            for (Connection c : waiting) {
                if (!c.gone) {
                    c.done(key, holders);
                    c.flush();
                }
            }
        }
    }

    /** The caller's address, for log lines about its connection. */
    private static final Context.Key<Object> REMOTE_ADDRESS = Context.key("burst-remote-address");

    private static final class RemoteAddressInterceptor implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            Context ctx = Context.current().withValue(REMOTE_ADDRESS, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
            return Contexts.interceptCall(ctx, call, headers, next);
        }
    }

    private final class Service extends SchedulerGrpc.SchedulerImplBase {
        @Override
        public StreamObserver<Envelope> connect(StreamObserver<Envelope> out) {
            String remote = String.valueOf(REMOTE_ADDRESS.get());
            Connection c = new Connection(out, remote);
            connections.add(c);
            return c;
        }

        @Override
        public void missingBlobs(BlobList request, StreamObserver<BlobList> out) {
            blobTransfer.missingBlobs(request, out);
        }

        @Override
        public StreamObserver<BlobChunk> putBlobs(StreamObserver<BlobList> out) {
            return blobTransfer.putBlobs(out);
        }

        @Override
        public void getBlob(BlobRequest request, StreamObserver<BlobChunk> out) {
            blobTransfer.getBlob(request, out);
        }

        @Override
        public void identity(IdentityRequest request, StreamObserver<ClusterIdentity> out) {
            if (request.getProtocolVersion() != WireCodec.PROTOCOL_VERSION) {
                log.warn("refused an identity request: protocol version {} is not supported (this side speaks {})",
                        request.getProtocolVersion(), WireCodec.PROTOCOL_VERSION);
                out.onError(Status.FAILED_PRECONDITION.withDescription("protocol version " + request.getProtocolVersion()
                        + " is not supported (the scheduler speaks " + WireCodec.PROTOCOL_VERSION + ")").asException());
                return;
            }
            if (!Transport.callHasClusterToken()) { // a client-only token: the cluster's key is for its workers
                log.warn("refused an identity request: it came with the client-only token");
                out.onError(Status.PERMISSION_DENIED.withDescription("the cluster's identity is for its workers;"
                        + " this token lets a client in, not a worker").asException());
                return;
            }
            out.onNext(ClusterIdentity.newBuilder().setKeyStore(ByteString.copyFrom(credentials.keyStoreBytes()))
                    .setKeyStorePassword(credentials.keyStorePassword())
                    .setPrivateKeyPkcs8(ByteString.copyFrom(credentials.privateKeyPkcs8()))
                    .setCertificateDer(ByteString.copyFrom(credentials.certificateDer()))
                    .setClientToken(credentials.clientOnlyToken() == null ? "" : credentials.clientOnlyToken()).build());
            out.onCompleted();
        }
    }

    // ---------------------------------------------------------------- one stream

    /**
     * One worker's or client's stream. Inbound: decode and post (network thread). Outbound: the loop
     * thread calls the {@link WorkerLink}/{@link ClientLink} methods, which build messages into a
     * batch that {@code flush} hands to the {@link EnvelopeSender}.
     */
    private final class Connection implements StreamObserver<Envelope>, WorkerLink, ClientLink {
        private final EnvelopeSender sender;
        private final String remote;
        private volatile Role role = Role.ROLE_UNSPECIFIED;
        private WorkerId worker;
        private ClientId client;
        /** Loop thread only: the batch being built, and the sessions this worker has been told of. */
        private List<Message> batch = new ArrayList<>();
        private final Set<String> sessionsSent = new HashSet<>();
        /** How many of each session's in-memory classes this worker has been sent (loop thread). */
        private final Map<String, Integer> classesSent = new java.util.HashMap<>();
        /** Functions this worker has been sent, named by id in its tasks (loop thread). */
        private final dev.burst.internal.protocol.FunctionTable.Sending functionsSent = new dev.burst.internal.protocol.FunctionTable.Sending();
        /** A client's function bytes seen lately, so that the tasks of a map share one copy (network thread only). */
        private final Map<ByteString, ByteString> functions = new java.util.HashMap<>();
        private volatile boolean gone;

        Connection(StreamObserver<Envelope> out, String remote) {
            this.sender = new EnvelopeSender(out, remote);
            this.remote = remote;
        }

        // ------------------------------------------------ inbound (network thread)

        @Override
        public void onNext(Envelope envelope) {
            try {
                for (Message m : envelope.getMessagesList()) {
                    receive(m);
                }
            } catch (RuntimeException e) {
                refuse("a malformed message: " + e.getMessage());
            }
        }

        private void receive(Message m) {
            if (role == Role.ROLE_UNSPECIFIED) {
                if (m.getKindCase() != Message.KindCase.HELLO) {
                    refuse("the first message was " + m.getKindCase() + ", not a hello");
                    return;
                }
                hello(m.getHello());
                return;
            }
            switch (m.getKindCase()) {
                case TASK_FINISHED -> {
                    // Counted here too, so usage is exact when a job ends, not a heartbeat behind.
                    long nanos = m.getTaskFinished().getDurationNanos();
                    figures.computeIfPresent(worker, (w, f) -> new WorkerFigures(w, f.threads(), f.memoryBytes(),
                            f.spilledBytes(), f.paused(), f.reportedBusyNanos(), f.reportedTasks(), f.keysFetched(),
                            f.spillCount(), f.cpuNanos(), f.finishedNanos() + nanos, f.finishedTasks() + 1, f.gpuBusyNanos(), f.executing()));
                    TaskKey key = WireCodec.key(m.getTaskFinished().getKey());
                    loop.post(WireCodec.decode(m.getTaskFinished(), worker));
                    if (awaitingHolders.containsKey(key)) {
                        loop.onLoop(() -> answerWhoHas(key)); // after the finish is handled: it is in memory now
                    }
                }
                case TASK_FAILED -> loop.post(WireCodec.decode(m.getTaskFailed(), worker));
                case DATA_MISSING -> loop.post(WireCodec.decode(m.getDataMissing(), worker));
                case KEYS_COPIED -> loop.post(WireCodec.decode(m.getKeysCopied(), worker));
                case STEAL_ANSWER -> loop.post(WireCodec.decode(m.getStealAnswer(), worker));
                case RETIRE_WORKERS -> {
                    long request = m.getRetireWorkers().getRequest();
                    loop.retireWorkers(m.getRetireWorkers().getWorkersList().stream().map(WorkerId::new).toList())
                            .whenComplete((ids, error) -> sender.send(Message.newBuilder().setWorkersRetired(
                                    dev.burst.internal.protocol.wire.WorkersRetired.newBuilder().setRequest(request)
                                            .addAllWorkers(ids == null ? List.of() : ids.stream().map(WorkerId::name).toList()))
                                    .build()));
                }
                case HEARTBEAT -> {
                    var h = m.getHeartbeat();
                    figures.computeIfPresent(worker, (w, f) -> new WorkerFigures(w, f.threads(), h.getMemoryBytes(),
                            h.getSpilledBytes(), h.getPaused(), h.getBusyNanos(), h.getTasksRun(), h.getKeysFetched(),
                            h.getSpillCount(), h.getCpuNanos(), f.finishedNanos(), f.finishedTasks(), h.getGpuBusyNanos(), h.getExecuting()));
                }
                case SESSION_CLASSES -> {
                    if (role != Role.ROLE_CLIENT) {
                        log.warn("ignored in-memory classes from {} ({}): only clients send them", remote, worker);
                    } else { // before the graph that needs them, on this same thread: in place when its tasks go out
                        sessionClasses.computeIfAbsent(client.name(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .addAll(m.getSessionClasses().getClassesList());
                    }
                }
                case SUBMIT_GRAPH -> {
                    if (functions.size() > 1024) {
                        functions.clear();
                    }
                    loop.post(WireCodec.decode(m.getSubmitGraph(), client, functions));
                }
                case WHO_HAS -> {
                    List<TaskKey> keys = m.getWhoHas().getKeysList().stream().map(WireCodec::key).toList();
                    loop.onLoop(() -> {
                        for (TaskKey k : keys) {
                            List<WorkerId> holders = loop.state().whoHas(k);
                            TaskError error = loop.state().errorOf(k);
                            if (!holders.isEmpty()) {
                                done(k, holders);
                            } else if (error != null) { // lost and not recomputed (no new work taken)
                                erred(k, error);
                            } else { // being recomputed: answered when it finishes
                                awaitingHolders.computeIfAbsent(k, x -> ConcurrentHashMap.newKeySet()).add(this);
                            }
                        }
                        flush();
                    });
                }
                case RELEASE_KEYS -> loop.post(WireCodec.decode(m.getReleaseKeys(), client));
                case RESULTS_RECEIVED -> loop.post(WireCodec.decode(m.getResultsReceived(), client));
                default -> log.warn("ignored a {} message from {} ({}): not expected from a {}", m.getKindCase(),
                        remote, role == Role.ROLE_WORKER ? worker : client, role == Role.ROLE_WORKER ? "worker" : "client");
            }
        }

        private void hello(Hello hello) {
            String refusal = WireCodec.refusal(hello, credentials.token(), credentials.clientOnlyToken());
            if (refusal != null) {
                refuse(refusal);
                return;
            }
            if (closed || loop.isClosed()) {
                refuse(loop.crashed() != null ? "the scheduler crashed (" + loop.crashed() + ") and serves no one"
                        : "the scheduler is closing");
                return;
            }
            if (hello.getRole() == Role.ROLE_WORKER) {
                if (hello.getPeerAddress().isEmpty()) {
                    refuse("a worker must say where it serves its results (peer address)");
                    return;
                }
                Double cpu = hello.getResourcesMap().get(ResourceAmounts.CPU);
                if (hello.getThreads() < 1 || cpu == null || cpu < 1) {
                    refuse("a worker needs at least one thread and cpu >= 1; this one offers " + hello.getThreads()
                            + " threads and resources " + hello.getResourcesMap());
                    return;
                }
                for (Map.Entry<String, Double> r : hello.getResourcesMap().entrySet()) {
                    if (!(r.getValue() > 0) || r.getValue().isInfinite()) {
                        refuse("a worker's resource " + r.getKey() + " must be a positive number, got " + r.getValue());
                        return;
                    }
                }
                worker = new WorkerId(hello.getPeerAddress());
                if (workers.putIfAbsent(worker, this) != null) {
                    refuse("a worker at " + worker + " is already connected");
                    return;
                }
                figures.put(worker, new WorkerFigures(worker, hello.getThreads(), 0, 0, false, 0, 0, 0, 0, 0, 0, 0, 0, 0));
                if (!hello.getName().isEmpty()) {
                    names.put(worker, hello.getName());
                }
                role = Role.ROLE_WORKER;
                sender.send(Message.newBuilder().setWelcome(Welcome.newBuilder()
                        .setProtocolVersion(WireCodec.PROTOCOL_VERSION).setId(worker.name())).build());
                loop.addWorker(worker, ResourceAmounts.of(hello.getResourcesMap()), this, hello.getName());
                log.info("worker {} joined ({} threads, resources {}, memory limit {} MiB){}", worker, hello.getThreads(),
                        hello.getResourcesMap(), hello.getMemoryLimit() >> 20,
                        hello.getName().isEmpty() ? "" : ", named " + hello.getName());
            } else {
                client = loop.addClient(this);
                role = Role.ROLE_CLIENT;
                sessions.put(client.name(), List.copyOf(hello.getClasspathList()));
                long keyBase = keyRanges.incrementAndGet() << KEY_RANGE_BITS;
                sender.send(Message.newBuilder().setWelcome(Welcome.newBuilder()
                        .setProtocolVersion(WireCodec.PROTOCOL_VERSION).setId(client.name()).setKeyBase(keyBase)).build());
                log.info("client {} connected from {}{}", client, remote, hello.getName().isEmpty() ? "" : " (" + hello.getName() + ")");
            }
        }

        /** Refuses the connection with one log line; the peer is told why. */
        private void refuse(String why) {
            log.warn("refused a connection from {}: {}", remote, why);
            sender.fail(Status.FAILED_PRECONDITION.withDescription(why).asException());
            left();
        }

        @Override
        public void onError(Throwable t) {
            log.debug("stream from {} failed: {}", remote, t.toString());
            left();
        }

        @Override
        public void onCompleted() {
            sender.complete();
            left();
        }

        /** The peer is gone (closed, died, or refused): tell the scheduler once. */
        private void left() {
            if (gone) {
                return;
            }
            gone = true;
            connections.remove(this);
            if (role == Role.ROLE_WORKER) {
                log.info("worker {} left", worker);
                loop.removeWorker(worker);
            } else if (role == Role.ROLE_CLIENT) {
                loop.removeClient(client);
                awaitingHolders.values().forEach(waiting -> waiting.remove(this));
                String session = client.name();
                // On the loop, after the client's departure is handled: nothing of the session can
                // follow the close to a worker, and workers' class loaders for it are let go.
                loop.onLoop(() -> {
                    sessions.remove(session);
                    sessionClasses.remove(session);
                    for (Connection w : workers.values()) {
                        w.classesSent.remove(session);
                        if (w.sessionsSent.remove(session)) {
                            w.flush();
                            w.sender.send(Message.newBuilder().setSessionClosed(
                                    dev.burst.internal.protocol.wire.SessionClosed.newBuilder().setSession(session)).build());
                        }
                    }
                });
            }
        }

        // ------------------------------------------------ outbound to a worker (loop thread)

        @Override
        public void send(SchedulerCommand command) {
            switch (command) {
                case SchedulerCommand.ComputeTask c -> {
                    String session = ((RemotePayload) c.payload()).session();
                    if (sessionsSent.add(session)) {
                        batch.add(Message.newBuilder().setSessionOpened(SessionOpened.newBuilder().setSession(session)
                                .addAllClasspath(sessions.getOrDefault(session, List.of()))).build());
                    }
                    List<dev.burst.internal.protocol.wire.ShippedClass> shipped = sessionClasses.get(session);
                    int sent = classesSent.getOrDefault(session, 0);
                    if (shipped != null && shipped.size() > sent) {
                        int now = shipped.size();
                        batch.add(Message.newBuilder().setSessionClasses(dev.burst.internal.protocol.wire.SessionClasses.newBuilder()
                                .setSession(session).addAllClasses(shipped.subList(sent, now))).build());
                        classesSent.put(session, now);
                    }
                    Message task = WireCodec.encode(c, functionsSent, batch); // its function's definition first, once
                    batch.add(task);
                }
                case SchedulerCommand.FreeKeys c -> batch.add(WireCodec.encode(c));
                case SchedulerCommand.CopyKeys c -> batch.add(WireCodec.encode(c));
                case SchedulerCommand.StealRequest c -> batch.add(WireCodec.encode(c));
                case SchedulerCommand.RetireWorker c -> batch.add(Message.newBuilder().setShutdown(
                        Shutdown.newBuilder().setReason("retired; its results were copied to other workers")).build());
                default -> throw new IllegalArgumentException("not a command for a worker: " + command);
            }
        }

        @Override
        public void removed() {
            workers.remove(worker, this);
            batch.clear();
            sender.complete();
        }

        // ------------------------------------------------ outbound to a client (loop thread)

        @Override
        public void done(TaskKey key, List<WorkerId> holders) {
            List<String> addresses = new ArrayList<>(holders.size());
            for (WorkerId h : holders) {
                addresses.add(h.name());
            }
            batch.add(WireCodec.encode(new SchedulerCommand.ReportDone(client, key, holders), addresses));
        }

        @Override
        public void erred(TaskKey key, TaskError error) {
            batch.add(WireCodec.encode(new SchedulerCommand.ReportErred(client, key, error), WireCodec.exceptionBytes(error)));
        }

        @Override
        public void stalled(TaskKey key, String reason) {
            batch.add(WireCodec.encode(new SchedulerCommand.ReportStalled(client, key, reason)));
        }

        @Override
        public void clusterClosed(String reason) {
            sender.fail(Status.UNAVAILABLE.withDescription(reason).asException());
        }

        // ------------------------------------------------ both

        @Override
        public void flush() {
            if (!batch.isEmpty()) {
                List<Message> b = batch;
                batch = new ArrayList<>();
                sender.sendAll(b);
            }
        }
    }
}
