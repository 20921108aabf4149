package dev.burst.internal.protocol;

import com.google.protobuf.ByteString;
import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.protocol.wire.Hello;
import dev.burst.internal.protocol.wire.Holders;
import dev.burst.internal.protocol.wire.Message;
import dev.burst.internal.protocol.wire.Role;
import dev.burst.internal.scheduler.SchedulerCommand;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.scheduler.TaskSpec;
import dev.burst.internal.worker.WorkerCommand;
import dev.burst.internal.worker.WorkerEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the core's events and commands to wire messages and back. Pure: no I/O, no threads.
 *
 * <p>Design notes.
 * <ul>
 *   <li>Who sent a message is a property of the connection, not of the message: the decoding side
 *   supplies the worker or client id of the stream it read from.
 *   <li>Payloads are opaque bytes on the wire, and the scheduler keeps them as {@link ByteString}
 *   without looking inside; only workers turn them into code.
 *   <li>A task's exception travels as bytes serialized by the sender; this codec carries them but
 *   does not interpret them ({@link #exceptionBytes}).
 *   <li>Stimulus ids travel with the messages that become events, so a task's story can be followed
 *   across processes.
 * </ul>
 */
public final class WireCodec {
    /** The protocol version this build speaks; a peer speaking another is refused at {@link Hello}. */
    public static final int PROTOCOL_VERSION = 1;

    private WireCodec() {
    }

    // ---------------------------------------------------------------- handshake

    public static Message hello(Role role, String token, String name, ResourceAmounts resources, String peerAddress) {
        return Message.newBuilder().setHello(Hello.newBuilder()
                .setProtocolVersion(PROTOCOL_VERSION).setRole(role).setToken(token).setName(name)
                .putAllResources(resources.amounts()).setPeerAddress(peerAddress)).build();
    }

    /**
     * Why a connection that opened with {@code hello} must be refused, or null if it may stay. The
     * message is what the server logs (once) and what the peer is told; it never echoes the token.
     */
    public static String refusal(Hello hello, String expectedToken) {
        return refusal(hello, expectedToken, null);
    }

    /**
     * Why a hello is refused, or null: like {@link #refusal(Hello, String)}, where {@code clientToken}
     * (null: none) also lets a peer in, as a client only.
     */
    public static String refusal(Hello hello, String expectedToken, String clientToken) {
        if (hello.getProtocolVersion() != PROTOCOL_VERSION) {
            return "protocol version " + hello.getProtocolVersion() + " is not supported (this side speaks "
                    + PROTOCOL_VERSION + ")";
        }
        boolean full = constantTimeEquals(hello.getToken(), expectedToken);
        boolean clientOnly = clientToken != null && constantTimeEquals(hello.getToken(), clientToken);
        if (!full && !clientOnly) {
            return "wrong token";
        }
        if (hello.getRole() != Role.ROLE_CLIENT && hello.getRole() != Role.ROLE_WORKER) {
            return "the hello names no role (client or worker)";
        }
        if (hello.getRole() == Role.ROLE_WORKER && !full) {
            return "this token lets a client in, not a worker";
        }
        return null;
    }

    /** Compares tokens without leaking, through timing, how much of a guess was right. */
    private static boolean constantTimeEquals(String a, String b) {
        return java.security.MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- scheduler -> worker

    /** A compute request carrying its function's bytes. */
    public static Message encode(SchedulerCommand.ComputeTask c) {
        return encode(c, null, null);
    }

    /**
     * A compute request that names its function by id in {@code functions}, whose definition goes to
     * {@code out} first when this stream has not had it yet ({@link FunctionTable}).
     */
    public static Message encode(SchedulerCommand.ComputeTask c, FunctionTable.Sending functions, List<Message> out) {
        var m = dev.burst.internal.protocol.wire.ComputeTask.newBuilder()
                .setStimulus(stimulus(c.stimulusId())).setKey(key(c.key())).setRunId(c.runId())
                .putAllResources(taskResources(c.resources())).setPriority(priority(c.priority()));
        RemotePayload p = payload(c.payload(), c.key());
        if (functions == null) {
            m.setFunction(p.function());
        } else {
            m.setFunctionId(functions.idOf(p.function(), out));
        }
        m.setArguments(p.arguments()).setSession(p.session());
        for (TaskKey d : c.dependencies()) {
            m.addDependencies(key(d));
            m.addWhoHas(holders(c.whoHas().getOrDefault(d, List.of())));
        }
        return Message.newBuilder().setComputeTask(m).build();
    }

    public static WorkerEvent.ComputeRequested decode(dev.burst.internal.protocol.wire.ComputeTask m) {
        return decode(m, null);
    }

    /** Decodes a compute request; one that names its function by id finds it in {@code functions}. */
    public static WorkerEvent.ComputeRequested decode(dev.burst.internal.protocol.wire.ComputeTask m, FunctionTable.Receiving functions) {
        List<TaskKey> deps = keys(m.getDependenciesList());
        if (m.getWhoHasCount() != deps.size()) {
            throw new IllegalArgumentException("compute-task " + key(m.getKey()) + " lists " + deps.size()
                    + " dependencies but holders for " + m.getWhoHasCount());
        }
        Map<TaskKey, List<WorkerId>> whoHas = deps.isEmpty() ? Map.of() : new HashMap<>();
        for (int i = 0; i < deps.size(); i++) {
            whoHas.put(deps.get(i), workers(m.getWhoHas(i)));
        }
        return new WorkerEvent.ComputeRequested(stimulus(m.getStimulus()), key(m.getKey()), m.getRunId(),
                new RemotePayload(m.getSession(), function(m, functions), m.getArguments()), deps, whoHas,
                taskResources(m.getResourcesMap()), priority(m.getPriority()));
    }

    private static ByteString function(dev.burst.internal.protocol.wire.ComputeTask m, FunctionTable.Receiving functions) {
        if (m.getFunctionId() == 0) {
            return m.getFunction();
        }
        if (functions == null) {
            throw new IllegalArgumentException("compute-task " + key(m.getKey()) + " names function " + m.getFunctionId()
                    + " but this stream keeps no function table");
        }
        return functions.resolve(m.getFunctionId());
    }

    public static Message encode(SchedulerCommand.FreeKeys c) {
        return Message.newBuilder().setFreeKeys(dev.burst.internal.protocol.wire.FreeKeys.newBuilder()
                .setStimulus(stimulus(c.stimulusId())).addAllKeys(wireKeys(c.keys()))).build();
    }

    public static WorkerEvent.KeysFreed decode(dev.burst.internal.protocol.wire.FreeKeys m) {
        return new WorkerEvent.KeysFreed(stimulus(m.getStimulus()), keys(m.getKeysList()));
    }

    /** Work stealing: give up this run unless it has started. */
    public static Message encode(SchedulerCommand.StealRequest c) {
        return Message.newBuilder().setStealRequest(dev.burst.internal.protocol.wire.StealRequest.newBuilder()
                .setStimulus(stimulus(c.stimulusId())).setKey(key(c.key())).setRunId(c.runId())).build();
    }

    public static WorkerEvent.StealRequested decode(dev.burst.internal.protocol.wire.StealRequest m) {
        return new WorkerEvent.StealRequested(stimulus(m.getStimulus()), key(m.getKey()), m.getRunId());
    }

    /** Retirement: copy these keys (they exist only on a retiring worker) and keep them. */
    public static Message encode(SchedulerCommand.CopyKeys c) {
        var m = dev.burst.internal.protocol.wire.CopyKeys.newBuilder().setStimulus(stimulus(c.stimulusId()));
        for (TaskKey k : c.keys()) {
            List<WorkerId> holders = c.whoHas().getOrDefault(k, List.of());
            m.addKeys(key(k)).addWhoHas(holders(holders));
        }
        return Message.newBuilder().setCopyKeys(m).build();
    }

    public static WorkerEvent.CopyRequested decode(dev.burst.internal.protocol.wire.CopyKeys m) {
        List<TaskKey> keys = keys(m.getKeysList());
        if (m.getWhoHasCount() != keys.size()) {
            throw new IllegalArgumentException("copy-keys lists " + keys.size() + " keys but holders for " + m.getWhoHasCount());
        }
        Map<TaskKey, List<WorkerId>> whoHas = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            whoHas.put(keys.get(i), workers(m.getWhoHas(i)));
        }
        return new WorkerEvent.CopyRequested(stimulus(m.getStimulus()), keys, whoHas);
    }

    // ---------------------------------------------------------------- worker -> scheduler

    public static Message encode(WorkerCommand.SendKeysCopied c, StimulusId stimulus) {
        return Message.newBuilder().setKeysCopied(dev.burst.internal.protocol.wire.KeysCopied.newBuilder()
                .setStimulus(stimulus(stimulus)).addAllKeys(wireKeys(c.keys())).addAllNbytes(c.nbytes())).build();
    }

    public static SchedulerEvent.KeysCopied decode(dev.burst.internal.protocol.wire.KeysCopied m, WorkerId from) {
        return new SchedulerEvent.KeysCopied(stimulus(m.getStimulus()), from, keys(m.getKeysList()),
                List.copyOf(m.getNbytesList()));
    }

    public static Message encode(WorkerCommand.SendStealAnswer c, StimulusId stimulus) {
        return Message.newBuilder().setStealAnswer(dev.burst.internal.protocol.wire.StealAnswer.newBuilder()
                .setStimulus(stimulus(stimulus)).setKey(key(c.key())).setRunId(c.runId()).setReleased(c.released())).build();
    }

    public static SchedulerEvent.StealAnswered decode(dev.burst.internal.protocol.wire.StealAnswer m, WorkerId from) {
        return new SchedulerEvent.StealAnswered(stimulus(m.getStimulus()), from, key(m.getKey()), m.getRunId(), m.getReleased());
    }

    public static Message encode(WorkerCommand.SendFinished c, StimulusId stimulus) {
        return Message.newBuilder().setTaskFinished(dev.burst.internal.protocol.wire.TaskFinished.newBuilder()
                .setStimulus(stimulus(stimulus)).setKey(key(c.key())).setRunId(c.runId())
                .setNbytes(c.nbytes()).setDurationNanos(c.durationNanos())).build();
    }

    public static SchedulerEvent.TaskFinished decode(dev.burst.internal.protocol.wire.TaskFinished m, WorkerId from) {
        return new SchedulerEvent.TaskFinished(stimulus(m.getStimulus()), from, key(m.getKey()), m.getRunId(),
                m.getNbytes(), m.getDurationNanos());
    }

    /** {@code exception} is the sender's serialization of the error's exception, or empty. */
    public static Message encode(WorkerCommand.SendFailed c, StimulusId stimulus, ByteString exception) {
        return Message.newBuilder().setTaskFailed(dev.burst.internal.protocol.wire.TaskFailed.newBuilder()
                .setStimulus(stimulus(stimulus)).setKey(key(c.key())).setRunId(c.runId())
                .setError(error(c.error(), exception))).build();
    }

    public static SchedulerEvent.TaskFailed decode(dev.burst.internal.protocol.wire.TaskFailed m, WorkerId from) {
        return new SchedulerEvent.TaskFailed(stimulus(m.getStimulus()), from, key(m.getKey()), m.getRunId(),
                error(m.getError()));
    }

    public static Message encode(WorkerCommand.SendDataMissing c, StimulusId stimulus) {
        return Message.newBuilder().setDataMissing(dev.burst.internal.protocol.wire.DataMissing.newBuilder()
                .setStimulus(stimulus(stimulus)).setKey(key(c.key())).setRunId(c.runId())
                .setDependency(key(c.dependency())).setHolder(c.holder() == null ? "" : c.holder().name())).build();
    }

    public static SchedulerEvent.DataMissing decode(dev.burst.internal.protocol.wire.DataMissing m, WorkerId from) {
        return new SchedulerEvent.DataMissing(stimulus(m.getStimulus()), from, key(m.getKey()), m.getRunId(),
                key(m.getDependency()), m.getHolder().isEmpty() ? null : new WorkerId(m.getHolder()));
    }

    // ---------------------------------------------------------------- client -> scheduler

    /** A graph as a client sends it; every payload must be a {@link RemotePayload}. */
    public static Message encodeGraph(List<TaskSpec> tasks, Collection<TaskKey> wanted, StimulusId stimulus) {
        var m = dev.burst.internal.protocol.wire.SubmitGraph.newBuilder().setStimulus(stimulus(stimulus))
                .addAllWanted(wireKeys(wanted));
        for (TaskSpec t : tasks) {
            RemotePayload p = payload(t.payload(), t.key());
            m.addTasks(dev.burst.internal.protocol.wire.TaskSpec.newBuilder()
                    .setKey(key(t.key())).addAllDependencies(wireKeys(t.dependencies()))
                    .putAllResources(taskResources(t.resources())).setPriority(priority(t.priority()))
                    .setRetries(t.retries()).setFunction(p.function()).setArguments(p.arguments()));
        }
        return Message.newBuilder().setSubmitGraph(m).build();
    }

    /**
     * The graph as the scheduler takes it; payloads stay bytes it never opens, tagged with the
     * sending client's session.
     */
    public static SchedulerEvent.GraphSubmitted decode(dev.burst.internal.protocol.wire.SubmitGraph m, ClientId from) {
        return decode(m, from, new HashMap<>());
    }

    /**
     * Like {@link #decode(dev.burst.internal.protocol.wire.SubmitGraph, ClientId)}, with equal
     * function bytes made one shared instance through {@code functions} (which the caller may keep
     * across submissions): every task of a map carries its function's bytes on the wire, but the
     * scheduler keeps them once, not once per task.
     */
    public static SchedulerEvent.GraphSubmitted decode(dev.burst.internal.protocol.wire.SubmitGraph m, ClientId from,
                                                       Map<ByteString, ByteString> functions) {
        List<TaskSpec> tasks = new ArrayList<>(m.getTasksCount());
        for (var t : m.getTasksList()) {
            ByteString fn = functions.computeIfAbsent(t.getFunction(), f -> f);
            tasks.add(new TaskSpec(key(t.getKey()), keys(t.getDependenciesList()), taskResources(t.getResourcesMap()),
                    priority(t.getPriority()), t.getRetries(), new RemotePayload(from.name(), fn, t.getArguments())));
        }
        return new SchedulerEvent.GraphSubmitted(stimulus(m.getStimulus()), from, tasks, keys(m.getWantedList()));
    }

    public static Message encodeRelease(Collection<TaskKey> keys, StimulusId stimulus) {
        return Message.newBuilder().setReleaseKeys(dev.burst.internal.protocol.wire.ReleaseKeys.newBuilder()
                .setStimulus(stimulus(stimulus)).addAllKeys(wireKeys(keys))).build();
    }

    public static SchedulerEvent.KeysReleased decode(dev.burst.internal.protocol.wire.ReleaseKeys m, ClientId from) {
        return new SchedulerEvent.KeysReleased(stimulus(m.getStimulus()), from, keys(m.getKeysList()));
    }

    public static Message encodeReceived(Collection<TaskKey> keys, StimulusId stimulus) {
        return Message.newBuilder().setResultsReceived(dev.burst.internal.protocol.wire.ResultsReceived.newBuilder()
                .setStimulus(stimulus(stimulus)).addAllKeys(wireKeys(keys))).build();
    }

    public static SchedulerEvent.ResultsReceived decode(dev.burst.internal.protocol.wire.ResultsReceived m, ClientId from) {
        return new SchedulerEvent.ResultsReceived(stimulus(m.getStimulus()), from, keys(m.getKeysList()));
    }

    // ---------------------------------------------------------------- scheduler -> client

    /** {@code addresses}: each holder's data address, aligned with {@code c.holders()}. */
    public static Message encode(SchedulerCommand.ReportDone c, List<String> addresses) {
        if (addresses.size() != c.holders().size()) {
            throw new IllegalArgumentException("report-done " + c.key() + ": " + c.holders().size()
                    + " holders but " + addresses.size() + " addresses");
        }
        return Message.newBuilder().setReportDone(dev.burst.internal.protocol.wire.ReportDone.newBuilder()
                .setKey(key(c.key())).setHolders(holders(c.holders())).addAllAddresses(addresses)).build();
    }

    public static SchedulerCommand.ReportDone decode(dev.burst.internal.protocol.wire.ReportDone m, ClientId to) {
        return new SchedulerCommand.ReportDone(to, key(m.getKey()), workers(m.getHolders()));
    }

    /** The scheduler forwards the exception bytes it got from the worker, untouched. */
    public static Message encode(SchedulerCommand.ReportErred c, ByteString exception) {
        return Message.newBuilder().setReportErred(dev.burst.internal.protocol.wire.ReportErred.newBuilder()
                .setKey(key(c.key())).setError(error(c.error(), exception))).build();
    }

    public static SchedulerCommand.ReportErred decode(dev.burst.internal.protocol.wire.ReportErred m, ClientId to) {
        return new SchedulerCommand.ReportErred(to, key(m.getKey()), error(m.getError()));
    }

    public static Message encode(SchedulerCommand.ReportStalled c) {
        return Message.newBuilder().setReportStalled(dev.burst.internal.protocol.wire.ReportStalled.newBuilder()
                .setKey(key(c.key())).setReason(c.reason())).build();
    }

    public static SchedulerCommand.ReportStalled decode(dev.burst.internal.protocol.wire.ReportStalled m, ClientId to) {
        return new SchedulerCommand.ReportStalled(to, key(m.getKey()), m.getReason());
    }

    /** The serialized exception carried with an error, or empty. */
    public static ByteString exceptionBytes(dev.burst.internal.protocol.wire.TaskError error) {
        return error.getException();
    }

    // ---------------------------------------------------------------- building blocks

    /**
     * A task's resources on the wire: nothing for the default one cpu, which nearly every task
     * asks for (a map field costs an entry object per task on both sides).
     */
    private static Map<String, Double> taskResources(ResourceAmounts r) {
        return r.equals(ResourceAmounts.ONE_CPU) ? Map.of() : r.amounts();
    }

    private static ResourceAmounts taskResources(Map<String, Double> wire) {
        return wire.isEmpty() ? ResourceAmounts.ONE_CPU : ResourceAmounts.of(wire);
    }

    public static dev.burst.internal.protocol.wire.TaskKey key(TaskKey k) {
        return dev.burst.internal.protocol.wire.TaskKey.newBuilder().setPrefix(k.prefix()).setId(k.id()).build();
    }

    public static TaskKey key(dev.burst.internal.protocol.wire.TaskKey k) {
        return new TaskKey(k.getPrefix(), k.getId());
    }

    private static List<dev.burst.internal.protocol.wire.TaskKey> wireKeys(Collection<TaskKey> keys) {
        List<dev.burst.internal.protocol.wire.TaskKey> out = new ArrayList<>(keys.size());
        for (TaskKey k : keys) {
            out.add(key(k));
        }
        return out;
    }

    private static List<TaskKey> keys(List<dev.burst.internal.protocol.wire.TaskKey> keys) {
        List<TaskKey> out = new ArrayList<>(keys.size());
        for (var k : keys) {
            out.add(key(k));
        }
        return List.copyOf(out);
    }

    private static dev.burst.internal.protocol.wire.Stimulus stimulus(StimulusId s) {
        return dev.burst.internal.protocol.wire.Stimulus.newBuilder().setKind(s.kind()).setSeq(s.seq()).build();
    }

    private static StimulusId stimulus(dev.burst.internal.protocol.wire.Stimulus s) {
        return new StimulusId(s.getKind(), s.getSeq());
    }

    private static dev.burst.internal.protocol.wire.Priority priority(TaskPriority p) {
        return dev.burst.internal.protocol.wire.Priority.newBuilder().setUser(p.user())
                .setSubmission(p.submission()).setGraphOrder(p.graphOrder()).build();
    }

    private static TaskPriority priority(dev.burst.internal.protocol.wire.Priority p) {
        return new TaskPriority(p.getUser(), p.getSubmission(), p.getGraphOrder());
    }

    private static Holders holders(List<WorkerId> workers) {
        Holders.Builder b = Holders.newBuilder();
        for (WorkerId w : workers) {
            b.addWorkers(w.name());
        }
        return b.build();
    }

    private static List<WorkerId> workers(Holders h) {
        List<WorkerId> out = new ArrayList<>(h.getWorkersCount());
        for (String w : h.getWorkersList()) {
            out.add(new WorkerId(w));
        }
        return List.copyOf(out);
    }

    private static dev.burst.internal.protocol.wire.TaskError error(TaskError e, ByteString exception) {
        return dev.burst.internal.protocol.wire.TaskError.newBuilder().setType(e.type()).setMessage(e.message())
                .setException(exception).build();
    }

    /**
     * The error as a value. Its exception stays in bytes (a {@link SerializedException}), rebuilt
     * by the client from {@link #exceptionBytes}; the scheduler only forwards it.
     */
    private static TaskError error(dev.burst.internal.protocol.wire.TaskError e) {
        return new TaskError(e.getType(), e.getMessage(),
                e.getException().isEmpty() ? null : new SerializedException(e.getType(), e.getMessage(), e.getException()));
    }

    /** The serialized exception an error carries through the scheduler, or empty. */
    public static ByteString exceptionBytes(TaskError error) {
        return error.exception() instanceof SerializedException s ? s.bytes() : ByteString.EMPTY;
    }

    private static RemotePayload payload(Object payload, TaskKey key) {
        return switch (payload) {
            case RemotePayload p -> p;
            case null -> throw new IllegalArgumentException("task " + key + " has no payload to send");
            default -> throw new IllegalArgumentException("task " + key + ": payloads travel as bytes, got a "
                    + payload.getClass().getName() + " (serialize it into a RemotePayload first)");
        };
    }
}
