package dev.burst.internal.transport;

import dev.burst.internal.protocol.wire.Envelope;
import dev.burst.internal.protocol.wire.Hello;
import dev.burst.internal.protocol.wire.Message;
import dev.burst.internal.protocol.wire.Role;
import dev.burst.internal.protocol.wire.SchedulerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Hand-made connections that a real client never makes, to test what the scheduler refuses. */
public final class RawConnections {
    private RawConnections() {
    }

    /** Sends a hello with another protocol version; throws with the status the scheduler closed the stream with. */
    public static void helloWithVersion(String address, Path tokenFile, int version) throws Exception {
        ClusterCredentials credentials = ClusterCredentials.fromTokenFile(tokenFile);
        ManagedChannel channel = Transport.channel(BurstAddress.parse(address), credentials);
        try {
            CompletableFuture<Status> ended = new CompletableFuture<>();
            StreamObserver<Envelope> out = SchedulerGrpc.newStub(channel).connect(new StreamObserver<>() {
                @Override
                public void onNext(Envelope value) {
                }

                @Override
                public void onError(Throwable t) {
                    ended.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                    ended.complete(Status.OK);
                }
            });
            out.onNext(Envelope.newBuilder().addMessages(Message.newBuilder().setHello(Hello.newBuilder()
                    .setProtocolVersion(version).setRole(Role.ROLE_CLIENT).setToken(credentials.token()))).build());
            Status s = ended.get(30, TimeUnit.SECONDS);
            throw new IllegalStateException("scheduler answered " + s.getCode() + ": " + s.getDescription());
        } finally {
            channel.shutdownNow();
        }
    }
}
