package dev.burst.internal.codeshipping;

import com.google.protobuf.ByteString;
import dev.burst.internal.protocol.ObjectCodec;
import dev.burst.internal.protocol.wire.BlobChunk;
import dev.burst.internal.protocol.wire.BlobList;
import dev.burst.internal.protocol.wire.BlobRequest;
import dev.burst.internal.protocol.wire.SchedulerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Code shipping end to end over a real gRPC server on the loopback interface. */
class BlobTransferTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    private BlobStore schedulerStore;
    private Server server;
    private ManagedChannel channel;
    private SchedulerGrpc.SchedulerStub async;
    private SchedulerGrpc.SchedulerBlockingStub blocking;

    @BeforeEach
    void startScheduler() throws IOException {
        schedulerStore = new BlobStore(tmp.resolve("scheduler/blobs"), ClasspathOffer.ofThisJvm(tmp.resolve("scheduler/packed")));
        BlobTransfer transfer = new BlobTransfer(schedulerStore);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new SchedulerGrpc.SchedulerImplBase() {
                    @Override
                    public void missingBlobs(BlobList request, StreamObserver<BlobList> response) {
                        transfer.missingBlobs(request, response);
                    }

                    @Override
                    public StreamObserver<BlobChunk> putBlobs(StreamObserver<BlobList> response) {
                        return transfer.putBlobs(response);
                    }

                    @Override
                    public void getBlob(BlobRequest request, StreamObserver<BlobChunk> response) {
                        transfer.getBlob(request, response);
                    }
                })
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        async = SchedulerGrpc.newStub(channel);
        blocking = SchedulerGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private static List<Path> thisJvmsClasspath() {
        List<Path> paths = new ArrayList<>();
        for (String part : System.getProperty("java.class.path").split(File.pathSeparator)) {
            paths.add(Path.of(part));
        }
        return paths;
    }

    /**
     * A client whose classpath is the worker's plus a library of its own: only the library travels,
     * once, and a second session on the worker reuses it.
     */
    @Test
    void aWorkerRunsCodeOnlyTheClientHad() throws Exception {
        Path userClasses = UserLibrary.compile(tmp.resolve("user"), 3);
        List<Path> clientClasspath = thisJvmsClasspath();
        clientClasspath.add(userClasses);
        ClasspathOffer client = ClasspathOffer.of(clientClasspath, tmp.resolve("client/packed"));
        String userSha = client.entries().getLast().getSha256();

        BlobTransfer.Uploaded uploaded = BlobTransfer.upload(async, blocking, client, TIMEOUT);
        assertThat(uploaded.blobs()).as("only the library the scheduler lacks").isEqualTo(1);
        assertThat(uploaded.bytes()).isEqualTo(Files.size(client.file(userSha)));
        assertThat(schedulerStore.missing(client.hashes())).isEmpty();
        assertThat(BlobTransfer.upload(async, blocking, client, TIMEOUT)).isEqualTo(new BlobTransfer.Uploaded(0, 0));

        ByteString job;
        try (URLClassLoader clientLoader = new URLClassLoader(new URL[]{userClasses.toUri().toURL()}, getClass().getClassLoader())) {
            job = new ObjectCodec(clientLoader).encode(clientLoader.loadClass("userlib.Jobs").getMethod("job").invoke(null));
        }

        AtomicInteger fetches = new AtomicInteger();
        BlobFetcher fromScheduler = BlobFetcher.fromScheduler(blocking, TIMEOUT);
        BlobFetcher counting = (sha, target) -> {
            fetches.incrementAndGet();
            fromScheduler.fetch(sha, target);
        };
        ClasspathOffer workerOwn = ClasspathOffer.ofThisJvm(tmp.resolve("worker/packed"));
        try (SessionLoaders loaders = new SessionLoaders(tmp.resolve("worker/blobs"), workerOwn, counting)) {
            ClassLoader one = loaders.open("s1", client.entries());
            assertThat(fetches).as("fetches only what the worker lacks").hasValue(1);
            assertThat(one).isNotSameAs(SessionLoaders.class.getClassLoader());
            assertThat(one.loadClass("userlib.Jobs").getClassLoader()).isSameAs(one.getParent()); // the session's jars
            assertThat(one.loadClass(ObjectCodec.class.getName())).as("Burst is the worker's own").isSameAs(ObjectCodec.class);
            assertThat(apply(one, job, 14L)).isEqualTo(42L);

            ClassLoader two = loaders.open("s2", client.entries());
            assertThat(fetches).as("the second session reuses the cached jar").hasValue(1);
            assertThat(two).isNotSameAs(one);
            assertThat(apply(two, job, 5L)).isEqualTo(15L);
            assertThat(loaders.loader("s2")).isSameAs(two);

            loaders.close("s1");
            assertThat(loaders.loader("s1")).isNull();
            assertThat(apply(two, job, 1L)).isEqualTo(3L);
        }
    }

    @SuppressWarnings("unchecked")
    private static long apply(ClassLoader session, ByteString job, long x) {
        Function<Long, Long> f = (Function<Long, Long>) new ObjectCodec(session).decode(job);
        assertThat(f.getClass().getClassLoader()).isSameAs(session.getParent()); // below the in-memory classes: the jars
        return f.apply(x);
    }

    @Test
    void aBlobLargerThanAChunkTravelsBothWays() throws Exception {
        byte[] content = new byte[BlobTransfer.CHUNK_BYTES * 3 + 12345];
        new Random(7).nextBytes(content);
        Path file = Files.write(tmp.resolve("big.jar"), content);
        Path empty = Files.write(tmp.resolve("empty.jar"), new byte[0]);
        ClasspathOffer offer = ClasspathOffer.of(List.of(file, empty), tmp.resolve("client"));

        assertThat(BlobTransfer.upload(async, blocking, offer, TIMEOUT)).isEqualTo(new BlobTransfer.Uploaded(2, content.length));
        String sha = Sha256.ofFile(file);
        assertThat(Files.readAllBytes(schedulerStore.path(sha))).isEqualTo(content);

        Path fetched = tmp.resolve("fetched");
        BlobFetcher.fromScheduler(blocking).fetch(sha, fetched);
        assertThat(Files.readAllBytes(fetched)).isEqualTo(content);
        BlobFetcher.fromScheduler(blocking).fetch(Sha256.ofFile(empty), fetched);
        assertThat(fetched).isEmptyFile();
    }

    @Test
    void anUnknownBlobIsNotFoundNamingIt() {
        String unknown = "ab".repeat(32);
        assertThatThrownBy(() -> blocking.getBlob(BlobRequest.newBuilder().setSha256(unknown).build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains(unknown);
                });
        assertThatThrownBy(() -> BlobFetcher.fromScheduler(blocking).fetch(unknown, tmp.resolve("x")))
                .isInstanceOf(IOException.class).hasMessageContaining("NOT_FOUND").hasMessageContaining(unknown);
        assertThatThrownBy(() -> blocking.missingBlobs(BlobList.newBuilder().addSha256("../secret").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void anUploadWhoseBytesDoNotMatchItsHashIsRefused() throws Exception {
        String claimed = BlobStoreTest.sha("the real library".getBytes());
        CompletableFuture<BlobList> answer = new CompletableFuture<>();
        StreamObserver<BlobChunk> upload = async.putBlobs(new StreamObserver<>() {
            @Override
            public void onNext(BlobList value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                answer.complete(BlobList.getDefaultInstance());
            }
        });
        upload.onNext(BlobChunk.newBuilder().setSha256(claimed).setData(ByteString.copyFromUtf8("a trojan")).setLast(true).build());
        upload.onCompleted();

        assertThatThrownBy(() -> answer.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("blob " + claimed + " refused");
                });
        assertThat(schedulerStore.has(claimed)).isFalse();
    }
}
