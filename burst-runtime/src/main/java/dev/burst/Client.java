package dev.burst;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.loop.ClientListener;
import dev.burst.internal.loop.SchedulerEndpoint;
import dev.burst.internal.scheduler.TaskSpec;
import dev.burst.internal.schedulernode.RemoteEndpoint;
import dev.burst.internal.task.TaskCall.TaskArguments;
import dev.burst.internal.task.TaskCall;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ClusterCredentials;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.HashMap;
import java.util.LinkedHashMap;

/**
 * The user's handle on a cluster: submit tasks, map a function over inputs, compute
 * {@link Delayed} graphs, and gather results.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().workers(2).build();
 *      Client client = Client.connect(cluster)) {
 *     TaskFuture<Integer> a = client.submit(() -> 21);
 *     TaskFuture<Integer> b = client.submit(x -> x * 2, a);   // a future as an input is a dependency
 *     List<TaskFuture<Long>> fs = client.map(Work::simulate, seeds);
 *     List<Long> out = client.gather(fs);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Closing the client cancels what it still waits for and lets the cluster drop
 * everything it held for this client.
 */
public final class Client implements AutoCloseable {
    private final SchedulerEndpoint endpoint;
    private final ClientId id;
    private final GraphBuilder graphs;
    private final Map<TaskKey, TaskFuture<?>> pending = new ConcurrentHashMap<>();
    private final AtomicLong submissions = new AtomicLong();
    private volatile boolean closed;
    private volatile String closedReason;

    private Client(SchedulerEndpoint endpoint) {
        this.endpoint = endpoint;
        SchedulerEndpoint.Session session = endpoint.connect(new Listener());
        this.id = session.id();
        this.graphs = new GraphBuilder(session.keyBase());
    }

    /** Connects to {@code cluster}. */
    public static Client connect(Cluster cluster) {
        Objects.requireNonNull(cluster, "cluster must not be null");
        return new Client(cluster.endpoint());
    }

    /** Connects to a cluster this JVM did not start, such as a gateway's ({@code dev.burst.gateway.GatewayCluster}). */
    public static Client connect(RemoteCluster cluster) {
        Objects.requireNonNull(cluster, "cluster must not be null");
        return connect(cluster.address(), cluster.tokenFile());
    }

    /**
     * Connects to the scheduler at {@code address} ({@code burst://host:port}), over TLS. The token
     * and the scheduler's certificate fingerprint come from the token file the scheduler wrote:
     * {@code $BURST_TOKEN_FILE} if set, else {@code ~/.burst/schedulers/<host>-<port>/token}. This
     * JVM's classpath is offered to the workers, which fetch the parts they lack, so tasks may use
     * any class the caller can.
     *
     * @throws IllegalArgumentException if the address is malformed
     * @throws BurstException if there is no token file, or the scheduler cannot be reached or refuses
     */
    public static Client connect(String address) {
        Objects.requireNonNull(address, "address must not be null");
        BurstAddress a = BurstAddress.parse(address);
        ClusterCredentials credentials;
        try {
            credentials = ClusterCredentials.forAddress(a);
        } catch (RuntimeException e) {
            throw new BurstException("cannot connect to " + a + ": " + e.getMessage(), e);
        }
        return new Client(RemoteEndpoint.open(a, credentials, cacheDir()));
    }

    /**
     * Like {@link #connect(String)}, with the token and certificate fingerprint from {@code tokenFile}.
     *
     * @throws BurstException if the file is missing or malformed, or the scheduler cannot be reached or refuses
     */
    public static Client connect(String address, Path tokenFile) {
        Objects.requireNonNull(address, "address must not be null");
        Objects.requireNonNull(tokenFile, "tokenFile must not be null");
        BurstAddress a = BurstAddress.parse(address);
        ClusterCredentials credentials;
        try {
            credentials = ClusterCredentials.fromTokenFile(tokenFile);
        } catch (RuntimeException e) {
            throw new BurstException("cannot connect to " + a + ": " + e.getMessage(), e);
        }
        return new Client(RemoteEndpoint.open(a, credentials, cacheDir()));
    }

    private static Path cacheDir() {
        return BurstDirectories.fromEnvironment().cache();
    }

    // ---------------------------------------------------------------- submit

    /** Runs {@code function} as a task. */
    public <R> TaskFuture<R> submit(TaskCallable<? extends R> function) {
        return submit(function, TaskOptions.defaults());
    }

    public <R> TaskFuture<R> submit(TaskCallable<? extends R> function, TaskOptions options) {
        Objects.requireNonNull(function, "function must not be null");
        return submitOne(function, options, List.of(), TaskArguments.none());
    }

    /** Runs {@code function} on the result of {@code input}, once that is ready. */
    public <A, R> TaskFuture<R> submit(TaskFunction<? super A, ? extends R> function, TaskFuture<? extends A> input) {
        return submit(function, input, TaskOptions.defaults());
    }

    public <A, R> TaskFuture<R> submit(TaskFunction<? super A, ? extends R> function, TaskFuture<? extends A> input,
                                       TaskOptions options) {
        Objects.requireNonNull(function, "function must not be null");
        TaskKey dep = dependencyKey(input, "input");
        return submitOne(function, options, List.of(dep), TaskArguments.inputs(0));
    }

    /** Runs {@code function} on the results of {@code first} and {@code second}. */
    public <A, B, R> TaskFuture<R> submit(TaskBiFunction<? super A, ? super B, ? extends R> function,
                                          TaskFuture<? extends A> first, TaskFuture<? extends B> second) {
        return submit(function, first, second, TaskOptions.defaults());
    }

    public <A, B, R> TaskFuture<R> submit(TaskBiFunction<? super A, ? super B, ? extends R> function,
                                          TaskFuture<? extends A> first, TaskFuture<? extends B> second,
                                          TaskOptions options) {
        Objects.requireNonNull(function, "function must not be null");
        TaskKey a = dependencyKey(first, "first input");
        TaskKey b = dependencyKey(second, "second input");
        List<TaskKey> deps = a.equals(b) ? List.of(a) : List.of(a, b);
        int bIndex = a.equals(b) ? 0 : 1;
        return submitOne(function, options, deps, TaskArguments.inputs(0, bIndex));
    }

    private <R> TaskFuture<R> submitOne(Object function, TaskOptions options, List<TaskKey> deps,
                                        TaskArguments arguments) {
        Objects.requireNonNull(options, "options must not be null (use TaskOptions.defaults())");
        ensureOpen();
        TaskKey key = graphs.newKey(function, options);
        TaskSpec spec = GraphBuilder.spec(key, deps, options, submissions.incrementAndGet(), 0, new TaskCall(function, arguments));
        TaskFuture<R> f = track(key);
        send(List.of(spec), List.of(key));
        return f;
    }

    /** One task per input: {@code function} applied to each element, in order. */
    public <I, R> List<TaskFuture<R>> map(TaskFunction<? super I, ? extends R> function, Collection<? extends I> inputs) {
        return map(function, inputs, TaskOptions.defaults());
    }

    public <I, R> List<TaskFuture<R>> map(TaskFunction<? super I, ? extends R> function, Collection<? extends I> inputs,
                                          TaskOptions options) {
        Objects.requireNonNull(function, "function must not be null");
        Objects.requireNonNull(inputs, "inputs must not be null");
        Objects.requireNonNull(options, "options must not be null (use TaskOptions.defaults())");
        ensureOpen();
        long submission = submissions.incrementAndGet();
        List<TaskSpec> specs = new ArrayList<>(inputs.size());
        List<TaskKey> keys = new ArrayList<>(inputs.size());
        List<TaskFuture<R>> futures = new ArrayList<>(inputs.size());
        long order = 0;
        for (I input : inputs) {
            TaskKey key = graphs.newKey(function, options);
            specs.add(GraphBuilder.spec(key, List.of(), options, submission, order++,
                    new TaskCall(function, TaskArguments.constant(input))));
            keys.add(key);
            futures.add(track(key));
        }
        if (!specs.isEmpty()) {
            send(specs, keys);
        }
        return futures;
    }

    /** Runs the graph behind {@code graph}; the future holds the result of its final node. */
    public <T> TaskFuture<T> compute(Delayed<T> graph) {
        Objects.requireNonNull(graph, "graph must not be null");
        ensureOpen();
        Map<Delayed<?>, TaskKey> keys = new IdentityHashMap<>();
        List<TaskSpec> specs = graphs.delayedGraph(graph, submissions.incrementAndGet(), keys);
        TaskKey rootKey = keys.get(graph);
        TaskFuture<T> f = track(rootKey);
        send(specs, List.of(rootKey));
        return f;
    }

    /**
     * Runs a named task graph. The map holds a future per name in {@code outputs}, or, when none
     * are given, per task no other task takes as input. A graph with a dependency cycle is refused
     * by the scheduler: those futures fail with {@link InvalidGraphException} naming the cycle.
     *
     * @throws IllegalArgumentException if an output is not a task of the graph
     */
    public Map<String, TaskFuture<Object>> compute(TaskGraph graph, String... outputs) {
        Objects.requireNonNull(graph, "graph must not be null");
        Objects.requireNonNull(outputs, "outputs must not be null");
        for (String o : outputs) {
            if (!graph.names().contains(o)) {
                throw new IllegalArgumentException("output '" + o + "' is not a task of this graph; tasks: " + graph.names());
            }
        }
        ensureOpen();
        List<String> wantedNames = outputs.length > 0 ? List.of(outputs) : graph.sinks();
        if (wantedNames.isEmpty()) {
            wantedNames = new ArrayList<>(graph.names()); // every task is some task's input: a cycle, refused below
        }
        Map<String, TaskKey> keys = new HashMap<>();
        List<TaskSpec> specs = graphs.keyedGraph(graph, submissions.incrementAndGet(), keys);
        Map<String, TaskFuture<Object>> futures = new LinkedHashMap<>();
        List<TaskKey> wanted = new ArrayList<>(wantedNames.size());
        for (String name : wantedNames) {
            TaskKey k = keys.get(name);
            futures.put(name, track(k));
            wanted.add(k);
        }
        send(specs, wanted);
        return futures;
    }

    // ---------------------------------------------------------------- results

    /**
     * The results of {@code futures}, in order, waiting as long as it takes.
     *
     * @throws TaskFailedException if a task failed; its cause is the task's exception
     * @throws CancellationException if a future was cancelled
     */
    public <T> List<T> gather(Collection<? extends TaskFuture<? extends T>> futures) {
        return gather(futures, null);
    }

    /**
     * Like {@link #gather(Collection)} but gives up after {@code timeout}, saying which task was
     * not ready and, when the scheduler knows, why.
     *
     * @throws TaskTimeoutException if the results are not all ready in time
     */
    public <T> List<T> gather(Collection<? extends TaskFuture<? extends T>> futures, Duration timeout) {
        Objects.requireNonNull(futures, "futures must not be null");
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        for (TaskFuture<? extends T> f : futures) {
            Objects.requireNonNull(f, "futures must not contain null");
            f.demand(); // all at once: their fetches go out together, many results per request
        }
        List<T> out = new ArrayList<>(futures.size());
        for (TaskFuture<? extends T> f : futures) {
            Objects.requireNonNull(f, "futures must not contain null");
            try {
                if (timeout == null) {
                    out.add(f.result.get());
                } else {
                    out.add(f.result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                }
            } catch (ExecutionException e) {
                throw new TaskFailedException(f.key(), e.getCause());
            } catch (TimeoutException e) {
                throw new TaskTimeoutException(f.timeoutMessage(timeout.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BurstException("interrupted while gathering " + f.key(), e);
            }
        }
        return out;
    }

    /**
     * The futures in the order they complete (finished, failed or cancelled). Iterating blocks
     * until the next one completes.
     */
    public <T> Iterable<TaskFuture<T>> asCompleted(Collection<? extends TaskFuture<T>> futures) {
        Objects.requireNonNull(futures, "futures must not be null");
        LinkedBlockingQueue<TaskFuture<T>> done = new LinkedBlockingQueue<>();
        int n = futures.size();
        for (TaskFuture<T> f : futures) {
            Objects.requireNonNull(f, "futures must not contain null");
            f.demand();
            f.result.whenComplete((v, e) -> done.add(f));
        }
        return () -> new Iterator<>() {
            private int returned;

            @Override
            public boolean hasNext() {
                return returned < n;
            }

            @Override
            public TaskFuture<T> next() {
                if (returned >= n) {
                    throw new NoSuchElementException();
                }
                try {
                    TaskFuture<T> f = done.take();
                    returned++;
                    return f;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BurstException("interrupted while waiting for the next completed task", e);
                }
            }
        };
    }

    // ---------------------------------------------------------------- workers

    /**
     * Retires workers gracefully: results that exist only on them are first copied to other
     * workers (so nothing is recomputed), tasks running there finish, then they stop. Returns the
     * names of the workers that left; names the scheduler does not know are ignored.
     *
     * @param workers worker names, as {@link LocalCluster#workerNames()} gives them (for a remote
     *                cluster, the {@code host:port} each worker logs when it connects)
     * @throws TaskTimeoutException if they have not all left within {@code timeout}
     */
    public List<String> retireWorkers(Collection<String> workers, Duration timeout) {
        Objects.requireNonNull(workers, "workers must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        for (String w : workers) {
            Objects.requireNonNull(w, "workers must not contain null");
        }
        ensureOpen();
        try {
            return endpoint.retireWorkers(id, List.copyOf(workers)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TaskTimeoutException("workers " + workers + " were not retired within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new BurstException("cannot retire " + workers + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BurstException("interrupted while retiring " + workers, e);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Cancels what this client still waits for and disconnects. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closedReason = "the client was closed";
        for (TaskFuture<?> f : pending.values()) {
            f.result.cancel(true);
        }
        pending.clear();
        endpoint.disconnect(id); // also after the cluster went away: it releases connections
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("cannot submit: " + closedReason);
        }
        if (endpoint.isClosed()) {
            throw new IllegalStateException("cannot submit: the cluster was closed");
        }
    }

    /**
     * Hands tasks to the scheduler. If that fails (a function that cannot be serialized for
     * remote workers, say), their futures are forgotten and the caller gets the error.
     */
    private void send(List<TaskSpec> specs, Collection<TaskKey> wanted) {
        try {
            endpoint.submit(id, specs, wanted);
        } catch (RuntimeException e) {
            for (TaskSpec s : specs) {
                pending.remove(s.key());
            }
            throw e;
        }
    }

    private <R> TaskFuture<R> track(TaskKey key) {
        TaskFuture<R> f = new TaskFuture<>(key, this);
        pending.put(key, f);
        return f;
    }

    /** A cancelled future is no longer waited for. */
    void forget(TaskFuture<?> f) {
        pending.remove(f.taskKey(), f);
    }

    private TaskKey dependencyKey(TaskFuture<?> f, String what) {
        Objects.requireNonNull(f, what + " must not be null");
        if (f.client() != this) {
            throw new IllegalArgumentException(what + " " + f.key() + " belongs to another client");
        }
        if (f.isCancelled()) {
            throw new IllegalArgumentException(what + " " + f.key() + " was cancelled and cannot be an input");
        }
        return f.taskKey();
    }

    /**
     * Lets the cluster drop the results of {@code futures} now, in one message, rather than when
     * each future is garbage-collected. Releasing a future twice, or one still pending, is harmless
     * (a pending task is cancelled if nothing else needs it).
     */
    public void release(Collection<? extends TaskFuture<?>> futures) {
        Objects.requireNonNull(futures, "futures must not be null");
        List<TaskKey> keys = new ArrayList<>(futures.size());
        for (TaskFuture<?> f : futures) {
            Objects.requireNonNull(f, "futures must not contain null");
            if (f.client() == this && f.releaser().claim()) {
                keys.add(f.taskKey());
            }
        }
        if (!keys.isEmpty() && !closed && !endpoint.isClosed()) {
            endpoint.release(id, keys);
        }
    }

    /** What to do when a future becomes unreachable or is released: tell the scheduler. */
    KeyRelease releaseAction(TaskKey key) {
        return new KeyRelease(this, key);
    }

    /**
     * Releases one key, once: run by the future's {@link java.lang.ref.Cleaner} when the future
     * becomes unreachable, or directly by {@link TaskFuture#release()}. Holds the key, never the
     * future, so that the future can become unreachable.
     */
    static final class KeyRelease implements Runnable {
        private final Client client;
        private final TaskKey key;
        private static final java.lang.invoke.VarHandle DONE;

        static {
            try {
                DONE = java.lang.invoke.MethodHandles.lookup().findVarHandle(KeyRelease.class, "done", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // accessed through DONE
        private volatile boolean done;

        KeyRelease(Client client, TaskKey key) {
            this.client = client;
            this.key = key;
        }

        /** Marks the key released; true for the first caller only. */
        boolean claim() {
            return DONE.compareAndSet(this, false, true);
        }

        @Override
        public void run() {
            if (claim() && !client.closed && !client.endpoint.isClosed()) {
                client.endpoint.release(client.id, List.of(key));
            }
        }
    }

    private static Throwable toException(TaskError error) {
        if (error.exception() != null) {
            return error.exception();
        }
        return switch (error.type()) {
            case "dev.burst.WorkerLostException" -> new WorkerLostException(error.message());
            case "dev.burst.InvalidGraphException" -> new InvalidGraphException(error.message());
            case WorkRefusedException.TYPE -> new WorkRefusedException(error.message());
            default -> new BurstException(error.toString());
        };
    }

    /** Reports from the cluster; runs on the scheduling thread, so it only completes futures. */
    /** Its id, the futures still waiting for results, and whether (and why) it closed. */
    @Override
    public String toString() {
        return "Client{" + id + ", " + pending.size() + " tasks waiting" + (closed ? ", closed" + (closedReason == null ? ""
                : ": " + closedReason) : "") + "}";
    }

    private final class Listener implements ClientListener {
        @Override
        public void done(TaskKey key, Object value) {
            TaskFuture<?> f = pending.remove(key);
            if (f != null) {
                f.complete(value);
            }
        }

        @Override
        public void erred(TaskKey key, TaskError error) {
            TaskFuture<?> f = pending.remove(key);
            if (f != null) {
                f.fail(toException(error));
            }
        }

        @Override
        public void ready(TaskKey key, Runnable fetch) {
            TaskFuture<?> f = pending.get(key);
            if (f != null) {
                f.ready(fetch);
            }
        }

        @Override
        public void stalled(TaskKey key, String reason) {
            TaskFuture<?> f = pending.get(key);
            if (f != null) {
                f.stalled(reason);
            }
        }

        @Override
        public void clusterClosed(String reason) {
            closedReason = reason;
            for (TaskFuture<?> f : pending.values()) {
                f.fail(new BurstException("no result for " + f.key() + ": " + reason));
            }
        }
    }
}
