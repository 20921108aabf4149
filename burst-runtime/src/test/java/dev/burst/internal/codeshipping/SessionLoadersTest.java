package dev.burst.internal.codeshipping;

import dev.burst.internal.protocol.wire.ClasspathEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SessionLoadersTest {
    @TempDir
    Path tmp;

    /** A client library (packed from a compiled directory) and a fetcher that serves it, counting fetches. */
    private ClasspathOffer client;
    private final AtomicInteger fetches = new AtomicInteger();

    private BlobFetcher library() throws IOException {
        client = ClasspathOffer.of(List.of(UserLibrary.compile(tmp.resolve("user"), 3)), tmp.resolve("client"));
        return (sha, target) -> {
            fetches.incrementAndGet();
            Files.copy(client.file(sha), target, StandardCopyOption.REPLACE_EXISTING);
        };
    }

    @Test
    void aSessionThatAddsNothingRunsOnBurstsOwnLoader() throws Exception {
        Path jar = Files.writeString(tmp.resolve("own.jar"), "not really a jar");
        ClasspathOffer own = ClasspathOffer.of(List.of(jar), tmp.resolve("own"));
        try (SessionLoaders loaders = new SessionLoaders(tmp.resolve("cache"), own, (sha, target) -> {
            throw new AssertionError("nothing to fetch");
        })) {
            // Only the loader of in-memory classes lies between: every class on the classpath is Burst's own.
            ClassLoader s = loaders.open("s", own.entries());
            assertThat(s).isInstanceOf(ShippedClassLoader.class);
            assertThat(s.getParent()).isSameAs(SessionLoaders.class.getClassLoader());
            assertThat(s.loadClass(SessionLoaders.class.getName())).isSameAs(SessionLoaders.class);
            assertThat(loaders.open("t", List.of()).getParent()).isSameAs(SessionLoaders.class.getClassLoader());
            loaders.close("s");
            assertThat(loaders.loader("s")).isNull();
            assertThat(loaders.loader("t").getParent()).isSameAs(SessionLoaders.class.getClassLoader());
        }
        assertThat(SessionLoaders.class.getClassLoader().loadClass(SessionLoaders.class.getName())).isNotNull();
    }

    @Test
    void concurrentSessionsFetchAJarOnce() throws Exception {
        BlobFetcher library = library();
        CountDownLatch fetching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BlobFetcher slow = (sha, target) -> {
            fetching.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            library.fetch(sha, target);
        };
        try (SessionLoaders loaders = new SessionLoaders(tmp.resolve("cache"), ClasspathOffer.none(), slow)) {
            FutureTask<ClassLoader> one = new FutureTask<>(() -> loaders.open("s1", client.entries()));
            FutureTask<ClassLoader> two = new FutureTask<>(() -> loaders.open("s2", client.entries()));
            Thread first = new Thread(one);
            first.start();
            assertThat(fetching.await(30, TimeUnit.SECONDS)).isTrue();
            Thread second = new Thread(two);
            second.start();
            // the second open waits for the first one's fetch instead of starting its own
            await().atMost(30, TimeUnit.SECONDS).until(() -> second.getState() == Thread.State.WAITING);
            release.countDown();
            ClassLoader a = one.get(30, TimeUnit.SECONDS);
            ClassLoader b = two.get(30, TimeUnit.SECONDS);
            assertThat(fetches).hasValue(1);
            assertThat(a).isNotSameAs(b);
            assertThat(a.loadClass("userlib.Jobs")).isNotSameAs(b.loadClass("userlib.Jobs"));
        }
    }

    @Test
    void fetchedJarsOutliveTheWorkerProcess() throws Exception {
        BlobFetcher library = library();
        try (SessionLoaders loaders = new SessionLoaders(tmp.resolve("cache"), ClasspathOffer.none(), library)) {
            loaders.open("s1", client.entries());
        }
        try (SessionLoaders restarted = new SessionLoaders(tmp.resolve("cache"), ClasspathOffer.none(), library)) {
            assertThat(restarted.open("s1", client.entries()).loadClass("userlib.Jobs")).isNotNull();
        }
        assertThat(fetches).hasValue(1);
    }

    @Test
    void aFailedFetchFailsTheOpenAndIsTriedAgainLater() throws Exception {
        BlobFetcher library = library();
        AtomicInteger calls = new AtomicInteger();
        BlobFetcher flaky = (sha, target) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("scheduler unreachable");
            }
            if (calls.get() == 2) {
                Files.writeString(target, "corrupted");
                return;
            }
            library.fetch(sha, target);
        };
        try (SessionLoaders loaders = new SessionLoaders(tmp.resolve("cache"), ClasspathOffer.none(), flaky)) {
            assertThatThrownBy(() -> loaders.open("s", client.entries()))
                    .isInstanceOf(IOException.class).hasMessageContaining("scheduler unreachable");
            assertThatThrownBy(() -> loaders.open("s", client.entries()))
                    .isInstanceOf(IOException.class).hasMessageContaining("refused");
            assertThat(loaders.loader("s")).isNull();
            assertThat(loaders.open("s", client.entries()).loadClass("userlib.Jobs")).isNotNull();
        }
        try (var files = Files.list(tmp.resolve("cache"))) {
            assertThat(files.toList()).as("no partial downloads left").hasSize(1);
        }
    }

    @Test
    void closingASessionClosesItsLoader() throws Exception {
        BlobFetcher library = library();
        SessionLoaders loaders = new SessionLoaders(tmp.resolve("cache"), ClasspathOffer.none(), library);
        ClassLoader loader = loaders.open("s", client.entries());
        assertThat(loaders.open("s", client.entries())).as("an open session keeps its loader").isSameAs(loader);
        loaders.close("s");
        assertThat(loaders.loader("s")).isNull();
        assertThatThrownBy(() -> loader.loadClass("userlib.Jobs")).isInstanceOf(ClassNotFoundException.class);

        ClassLoader other = loaders.open("t", client.entries());
        loaders.close();
        assertThat(loaders.loader("t")).isNull();
        assertThatThrownBy(() -> other.loadClass("userlib.Jobs")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> loaders.open("u", client.entries())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> loaders.open("u", List.of(ClasspathEntry.newBuilder().setSha256("../x").build())))
                .isInstanceOf(IllegalStateException.class);
    }
}
