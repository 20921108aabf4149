package dev.burst.internal.protocol;

import com.google.protobuf.ByteString;
import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.protocol.wire.Envelope;
import dev.burst.internal.protocol.wire.Hello;
import dev.burst.internal.protocol.wire.Message;
import dev.burst.internal.protocol.wire.Role;
import dev.burst.internal.scheduler.SchedulerCommand;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.scheduler.TaskSpec;
import dev.burst.internal.worker.WorkerCommand;
import dev.burst.internal.worker.WorkerEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every message survives encode -> bytes -> parse -> decode unchanged. */
class WireCodecTest {
    private static final StimulusId STIM = new StimulusId("test", 42);
    private static final TaskKey X = new TaskKey("load", 1);
    private static final TaskKey Y = new TaskKey("sum", 2);
    private static final WorkerId A = new WorkerId("worker-a");
    private static final WorkerId B = new WorkerId("worker-b");
    private static final ClientId C = new ClientId("client-1");
    private static final ResourceAmounts GPU = ResourceAmounts.of(Map.of("cpu", 1.0, "gpu", 1.0));
    private static final RemotePayload PAYLOAD = new RemotePayload("client-1", ByteString.copyFromUtf8("opaque function bytes"),
            ByteString.copyFromUtf8("args"));

    /** Through real bytes, as a stream would carry it. */
    private static Message wire(Message m) throws Exception {
        return Message.parseFrom(m.toByteArray());
    }

    @Test
    void computeTaskBecomesTheWorkersComputeRequested() throws Exception {
        var c = new SchedulerCommand.ComputeTask(A, Y, 7, PAYLOAD, List.of(X, new TaskKey("load", 3)),
                Map.of(X, List.of(A, B), new TaskKey("load", 3), List.of()), GPU, new TaskPriority(5, 9, 11), STIM);
        WorkerEvent.ComputeRequested e = WireCodec.decode(wire(WireCodec.encode(c)).getComputeTask());
        assertThat(e).isEqualTo(new WorkerEvent.ComputeRequested(STIM, Y, 7, PAYLOAD, c.dependencies(), c.whoHas(),
                GPU, c.priority()));
    }

    @Test
    void aFunctionTravelsOncePerStreamAndTasksNameItById() throws Exception {
        FunctionTable.Sending sending = new FunctionTable.Sending();
        FunctionTable.Receiving receiving = new FunctionTable.Receiving();
        List<Message> stream = new java.util.ArrayList<>();
        for (long run = 1; run <= 3; run++) {
            var c = new SchedulerCommand.ComputeTask(A, new TaskKey("map", run), run, PAYLOAD, List.of(), Map.of(),
                    ResourceAmounts.ONE_CPU, TaskPriority.DEFAULT, STIM);
            stream.add(WireCodec.encode(c, sending, stream));
        }
        assertThat(stream).as("one definition, then three tasks without the function's bytes").hasSize(4);
        assertThat(stream.get(0).hasFunctionDefinition()).isTrue();
        assertThat(stream.subList(1, 4)).allSatisfy(m -> assertThat(m.getComputeTask().getFunction().isEmpty()).isTrue());
        for (Message m : stream) {
            Message w = wire(m);
            if (w.hasFunctionDefinition()) {
                receiving.define(w.getFunctionDefinition());
            } else {
                assertThat(WireCodec.decode(w.getComputeTask(), receiving).payload()).isEqualTo(PAYLOAD);
            }
        }
        var unknown = dev.burst.internal.protocol.wire.ComputeTask.newBuilder().setKey(WireCodec.key(X)).setFunctionId(99).build();
        assertThatThrownBy(() -> WireCodec.decode(unknown, new FunctionTable.Receiving()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("function 99");
    }

    @Test
    void theFunctionTablesStayBoundedAcrossManyDistinctFunctions() {
        FunctionTable.Sending sending = new FunctionTable.Sending();
        FunctionTable.Receiving receiving = new FunctionTable.Receiving();
        List<Message> stream = new java.util.ArrayList<>();
        long last = 0;
        for (int i = 0; i < FunctionTable.CAPACITY * 3; i++) {
            last = sending.idOf(ByteString.copyFromUtf8("lambda " + i), stream);
        }
        stream.forEach(m -> receiving.define(m.getFunctionDefinition()));
        assertThat(receiving.size()).isLessThanOrEqualTo(FunctionTable.CAPACITY);
        assertThat(receiving.resolve(last).toStringUtf8()).isEqualTo("lambda " + (FunctionTable.CAPACITY * 3 - 1));
    }

    @Test
    void rootTaskHasNoHolders() throws Exception {
        var c = new SchedulerCommand.ComputeTask(A, X, 1, PAYLOAD, List.of(), Map.of(), ResourceAmounts.ONE_CPU,
                TaskPriority.DEFAULT, STIM);
        assertThat(WireCodec.decode(wire(WireCodec.encode(c)).getComputeTask()).whoHas()).isEmpty();
    }

    @Test
    void freeKeys() throws Exception {
        var c = new SchedulerCommand.FreeKeys(A, List.of(X, Y), STIM);
        assertThat(WireCodec.decode(wire(WireCodec.encode(c)).getFreeKeys()))
                .isEqualTo(new WorkerEvent.KeysFreed(STIM, List.of(X, Y)));
    }

    @Test
    void workerReportsCarryTheRunAndBecomeSchedulerEventsFromTheConnectionsWorker() throws Exception {
        assertThat(WireCodec.decode(wire(WireCodec.encode(new WorkerCommand.SendFinished(X, 3, 1024, 5_000), STIM))
                .getTaskFinished(), A)).isEqualTo(new SchedulerEvent.TaskFinished(STIM, A, X, 3, 1024, 5_000));

        var error = new TaskError("java.lang.IllegalStateException", "boom", null);
        Message failed = wire(WireCodec.encode(new WorkerCommand.SendFailed(X, 4, error), STIM, ByteString.copyFromUtf8("ex")));
        SchedulerEvent.TaskFailed decoded = WireCodec.decode(failed.getTaskFailed(), A);
        assertThat(decoded.error().type()).isEqualTo(error.type());
        assertThat(decoded.error().message()).isEqualTo("boom");
        // the exception stays in bytes through the scheduler, and is forwarded as they came
        assertThat(WireCodec.exceptionBytes(decoded.error()).toStringUtf8()).isEqualTo("ex");
        assertThat(List.of(decoded.stimulusId(), decoded.worker(), decoded.key(), decoded.runId()))
                .containsExactly(STIM, A, X, 4L);
        assertThat(WireCodec.exceptionBytes(failed.getTaskFailed().getError()).toStringUtf8()).isEqualTo("ex");

        assertThat(WireCodec.decode(wire(WireCodec.encode(new WorkerCommand.SendDataMissing(Y, 5, X, B), STIM))
                .getDataMissing(), A)).isEqualTo(new SchedulerEvent.DataMissing(STIM, A, Y, 5, X, B));
        assertThat(WireCodec.decode(wire(WireCodec.encode(new WorkerCommand.SendDataMissing(Y, 5, X, null), STIM))
                .getDataMissing(), A).holder()).isNull();
    }

    @Test
    void aGraphKeepsItsPayloadsAsOpaqueBytes() throws Exception {
        List<TaskSpec> tasks = List.of(
                new TaskSpec(X, List.of(), ResourceAmounts.ONE_CPU, new TaskPriority(0, 1, 0), 0, PAYLOAD.inSession("")),
                new TaskSpec(Y, List.of(X), GPU, new TaskPriority(2, 1, 1), 3,
                        new RemotePayload("", ByteString.copyFrom(new byte[] {1, 2, 3}), ByteString.EMPTY)));
        SchedulerEvent.GraphSubmitted g = WireCodec.decode(wire(WireCodec.encodeGraph(tasks, List.of(Y), STIM))
                .getSubmitGraph(), C);
        assertThat(g.client()).isEqualTo(C);
        assertThat(g.wanted()).containsExactly(Y);
        // the scheduler tags each payload with the session of the connection it came on
        assertThat(g.tasks().get(0).payload()).isEqualTo(PAYLOAD.inSession(C.name()));
        assertThat(g.tasks().get(1).payload()).isEqualTo(new RemotePayload(C.name(), ByteString.copyFrom(new byte[] {1, 2, 3}), ByteString.EMPTY));
        assertThat(g.tasks().get(1).resources()).isEqualTo(GPU);
        assertThat(g.tasks().get(1).retries()).isEqualTo(3);
        assertThat(g.tasks().get(1).dependencies()).containsExactly(X);

        assertThat(WireCodec.decode(wire(WireCodec.encodeRelease(List.of(X), STIM)).getReleaseKeys(), C))
                .isEqualTo(new SchedulerEvent.KeysReleased(STIM, C, List.of(X)));
        assertThat(WireCodec.decode(wire(WireCodec.encodeReceived(List.of(X, Y), STIM)).getResultsReceived(), C))
                .isEqualTo(new SchedulerEvent.ResultsReceived(STIM, C, List.of(X, Y)));
    }

    @Test
    void aPayloadThatIsNotBytesIsRefusedNamingTheTask() {
        var spec = new TaskSpec(X, List.of(), ResourceAmounts.ONE_CPU, TaskPriority.DEFAULT, 0, (Runnable) () -> { });
        assertThatThrownBy(() -> WireCodec.encodeGraph(List.of(spec), List.of(X), STIM))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("task load-1")
                .hasMessageContaining("payloads travel as bytes");
    }

    @Test
    void reportsToClients() throws Exception {
        Message done = wire(WireCodec.encode(new SchedulerCommand.ReportDone(C, X, List.of(A, B)), List.of("h:1", "h:2")));
        assertThat(WireCodec.decode(done.getReportDone(), C)).isEqualTo(new SchedulerCommand.ReportDone(C, X, List.of(A, B)));
        assertThat(done.getReportDone().getAddressesList()).containsExactly("h:1", "h:2");
        assertThatThrownBy(() -> WireCodec.encode(new SchedulerCommand.ReportDone(C, X, List.of(A, B)), List.of("h:1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 holders but 1 addresses");
        var error = new TaskError("dev.burst.WorkerLostException", "died", null);
        assertThat(WireCodec.decode(wire(WireCodec.encode(new SchedulerCommand.ReportErred(C, X, error), ByteString.EMPTY))
                .getReportErred(), C)).isEqualTo(new SchedulerCommand.ReportErred(C, X, error));
        assertThat(WireCodec.decode(wire(WireCodec.encode(new SchedulerCommand.ReportStalled(C, X, "no gpu")))
                .getReportStalled(), C)).isEqualTo(new SchedulerCommand.ReportStalled(C, X, "no gpu"));
    }

    @Test
    void manySmallMessagesBatchIntoOneEnvelope() throws Exception {
        Envelope.Builder env = Envelope.newBuilder();
        List<SchedulerEvent.TaskFinished> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            var f = new WorkerCommand.SendFinished(new TaskKey("noop", i), i, 16, 1_000);
            env.addMessages(WireCodec.encode(f, new StimulusId("executed", i)));
            sent.add(new SchedulerEvent.TaskFinished(new StimulusId("executed", i), A, f.key(), i, 16, 1_000));
        }
        byte[] bytes = env.build().toByteArray();
        assertThat(bytes.length).as("a finished-report costs a few dozen bytes").isLessThan(1000 * 48);
        List<SchedulerEvent.TaskFinished> received = new ArrayList<>();
        for (Message m : Envelope.parseFrom(bytes).getMessagesList()) {
            received.add(WireCodec.decode(m.getTaskFinished(), A));
        }
        assertThat(received).isEqualTo(sent);
    }

    @Test
    void aHelloIsRefusedForAnotherVersionAWrongTokenOrNoRole() throws Exception {
        Hello ok = wire(WireCodec.hello(Role.ROLE_WORKER, "s3cret", "w1", GPU, "127.0.0.1:9000")).getHello();
        assertThat(WireCodec.refusal(ok, "s3cret")).isNull();
        assertThat(ok.getResourcesMap()).isEqualTo(GPU.amounts());
        assertThat(WireCodec.refusal(ok, "other")).isEqualTo("wrong token").doesNotContain("s3cret");
        assertThat(WireCodec.refusal(ok.toBuilder().setProtocolVersion(2).build(), "s3cret"))
                .isEqualTo("protocol version 2 is not supported (this side speaks 1)");
        assertThat(WireCodec.refusal(ok.toBuilder().setRole(Role.ROLE_UNSPECIFIED).build(), "s3cret"))
                .contains("no role");
        assertThatThrownBy(() -> Message.parseFrom(new byte[] {(byte) 0xff, 0x13, 0x07}))
                .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);
    }

    @Test
    void retirementCopiesAndTheirReports() throws Exception {
        var copy = new SchedulerCommand.CopyKeys(A, List.of(X, Y), Map.of(X, List.of(B), Y, List.of(B, C_WORKER)), STIM);
        assertThat(WireCodec.decode(wire(WireCodec.encode(copy)).getCopyKeys()))
                .isEqualTo(new WorkerEvent.CopyRequested(STIM, List.of(X, Y), copy.whoHas()));
        var copied = new WorkerCommand.SendKeysCopied(List.of(X), List.of(1024L));
        assertThat(WireCodec.decode(wire(WireCodec.encode(copied, STIM)).getKeysCopied(), A))
                .isEqualTo(new SchedulerEvent.KeysCopied(STIM, A, List.of(X), List.of(1024L)));
    }

    @Test
    void stealRequestsAndAnswersSurviveTheWire() throws Exception {
        var request = new SchedulerCommand.StealRequest(A, X, 42, STIM);
        assertThat(WireCodec.decode(wire(WireCodec.encode(request)).getStealRequest()))
                .isEqualTo(new WorkerEvent.StealRequested(STIM, X, 42));
        for (boolean released : new boolean[] {true, false}) {
            var answer = new WorkerCommand.SendStealAnswer(X, 42, released);
            assertThat(WireCodec.decode(wire(WireCodec.encode(answer, STIM)).getStealAnswer(), A))
                    .isEqualTo(new SchedulerEvent.StealAnswered(STIM, A, X, 42, released));
        }
    }

    @Test
    void theTasksOfAMapShareOneCopyOfTheirFunctionAtTheScheduler() throws Exception {
        List<TaskSpec> tasks = List.of(
                new TaskSpec(X, List.of(), ResourceAmounts.ONE_CPU, TaskPriority.DEFAULT, 0, PAYLOAD.inSession("")),
                new TaskSpec(Y, List.of(), ResourceAmounts.ONE_CPU, TaskPriority.DEFAULT, 0, PAYLOAD.inSession("")));
        var g = WireCodec.decode(wire(WireCodec.encodeGraph(tasks, List.of(X, Y), STIM)).getSubmitGraph(), C);
        RemotePayload a = (RemotePayload) g.tasks().get(0).payload();
        RemotePayload b = (RemotePayload) g.tasks().get(1).payload();
        assertThat(a.function()).isEqualTo(PAYLOAD.function()).isSameAs(b.function());
    }

    private static final WorkerId C_WORKER = new WorkerId("127.0.0.1:3");
}
