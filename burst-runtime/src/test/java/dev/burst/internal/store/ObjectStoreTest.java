package dev.burst.internal.store;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.burst.internal.core.TaskKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectStoreTest {
    @TempDir
    Path temp;

    /** Java serialization, counting calls so tests can tell whether a value was decoded. */
    static final class CountingCodec implements ValueCodec {
        final AtomicInteger encodes = new AtomicInteger();
        final AtomicInteger decodes = new AtomicInteger();

        @Override
        public String session() {
            return "test-session";
        }

        @Override
        public byte[] encode(Object value) {
            encodes.incrementAndGet();
            var out = new ByteArrayOutputStream();
            try (var objects = new ObjectOutputStream(out)) {
                objects.writeObject(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        @Override
        public Object decode(byte[] bytes) {
            decodes.incrementAndGet();
            try (var objects = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
                return objects.readObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final CountingCodec codec = new CountingCodec();
    /** For the test's own encoding and decoding, so they do not show in {@link #codec}'s counts. */
    private final CountingCodec plain = new CountingCodec();

    private static TaskKey key(String prefix, long id) {
        return new TaskKey(prefix, id);
    }

    private Path spillDir() {
        return temp.resolve("spill");
    }

    private Path fileOf(TaskKey key) {
        return spillDir().resolve(key + ".bin");
    }

    @Test
    void spillsLeastRecentlyUsedFirstAndReadsBackTransparently() throws IOException {
        // Threshold 500: three 200-byte values exceed it.
        try (var store = new ObjectStore(1000, 0.5, 0.8, spillDir())) {
            TaskKey a = key("a", 1), b = key("b", 2), c = key("c", 3), d = key("d", 4);
            store.put(a, "alpha", 200, codec);
            store.put(b, "beta", 200, codec);
            assertThat(store.spillCount()).isZero();
            assertThat(Files.exists(spillDir())).as("spill dir is created lazily").isFalse();

            store.put(c, "gamma", 200, codec);
            assertThat(store.spilled(a)).isTrue();
            assertThat(fileOf(a)).exists();
            assertThat(store.memoryBytes()).isEqualTo(400);

            store.get(b); // b is now more recently used than c
            store.put(d, "delta", 200, codec);
            assertThat(store.spilled(c)).as("c was least recently used").isTrue();
            assertThat(store.spilled(b)).isFalse();
            assertThat(store.spilled(d)).isFalse();
            assertThat(store.spillCount()).isEqualTo(2);
            assertThat(store.spilledBytes()).isEqualTo(Files.size(fileOf(a)) + Files.size(fileOf(c)));
            assertThat(store.totalSpilledBytes()).isEqualTo(store.spilledBytes());

            // Reading a back holds it in memory again as most recent, pushing out b (now the LRU).
            assertThat(store.get(a)).isEqualTo("alpha");
            assertThat(store.spilled(a)).isFalse();
            assertThat(fileOf(a)).doesNotExist();
            assertThat(store.spilled(b)).isTrue();
            assertThat(store.memoryBytes()).isEqualTo(400);
            assertThat(store.get(c)).isEqualTo("gamma");
            assertThat(store.size()).isEqualTo(4);
            assertThat(store.paused()).isFalse();
        }
    }

    @Test
    void bytesOfSpilledValueComeFromDiskWithoutDecoding() {
        try (var store = new ObjectStore(1000, 0.5, 0.8, spillDir())) {
            TaskKey a = key("a", 1);
            int[] original = {1, 2, 3, 4, 5};
            store.put(a, original, 400, codec);
            store.put(key("b", 2), "filler", 400, codec);
            assertThat(store.spilled(a)).isTrue();
            int decodesBefore = codec.decodes.get();
            int encodesBefore = codec.encodes.get();
            long memoryBefore = store.memoryBytes();

            byte[] bytes = store.bytes(a);

            assertThat(codec.decodes.get()).isEqualTo(decodesBefore);
            assertThat(codec.encodes.get()).isEqualTo(encodesBefore);
            assertThat(store.spilled(a)).as("bytes() must not pull it into memory").isTrue();
            assertThat(store.memoryBytes()).isEqualTo(memoryBefore);
            assertThat((int[]) plain.decode(bytes)).containsExactly(original);
        }
    }

    @Test
    void fetchedBytesAreDecodedLazilyOnceAndKeepTheirSize() {
        try (var store = new ObjectStore(1000, spillDir())) {
            TaskKey a = key("a", 1);
            byte[] wire = plain.encode("from a peer");
            store.putBytes(a, wire, codec);
            assertThat(store.memoryBytes()).isEqualTo(wire.length);
            assertThat(store.bytes(a)).isSameAs(wire);
            assertThat(codec.decodes.get()).isZero();
            assertThat(store.codec(a)).isSameAs(codec);

            assertThat(store.get(a)).isEqualTo("from a peer");
            Object again = store.get(a);
            assertThat(codec.decodes.get()).isEqualTo(1);
            assertThat(again).isSameAs(store.get(a));
            assertThat(store.memoryBytes()).isEqualTo(wire.length);
            assertThat(plain.decode(store.bytes(a))).isEqualTo("from a peer");
        }
    }

    @Test
    void valueBiggerThanTheLimitGoesStraightToDiskAndStaysThere() {
        try (var store = new ObjectStore(1000, spillDir())) {
            TaskKey big = key("big", 7);
            long[] huge = new long[100];
            Arrays.fill(huge, 42L);
            store.put(key("small", 1), "small", 100, codec);
            store.put(big, huge, 5000, codec);

            assertThat(store.spilled(big)).isTrue();
            assertThat(fileOf(big)).exists();
            assertThat(store.memoryBytes()).as("the small value is not pushed out").isEqualTo(100);
            assertThat(store.spilled(key("small", 1))).isFalse();

            assertThat((long[]) store.get(big)).containsExactly(huge);
            assertThat(store.spilled(big)).as("reading it back must not keep it in memory").isTrue();
            assertThat(store.memoryBytes()).isEqualTo(100);
        }
    }

    @Test
    void removeDeletesTheSpillFileAndForgetsTheKey() {
        try (var store = new ObjectStore(100, spillDir())) {
            TaskKey a = key("a", 1);
            store.put(a, "value", 1000, codec);
            assertThat(fileOf(a)).exists();

            store.remove(a);

            assertThat(fileOf(a)).doesNotExist();
            assertThat(store.contains(a)).isFalse();
            assertThat(store.spilledBytes()).isZero();
            assertThat(store.size()).isZero();
            assertThatThrownBy(() -> store.get(a)).isInstanceOf(NoSuchElementException.class).hasMessageContaining("a-1");
            assertThatThrownBy(() -> store.bytes(a)).isInstanceOf(NoSuchElementException.class).hasMessageContaining("a-1");
            store.remove(a); // absent: no-op
        }
    }

    @Test
    void nullValuesAreStoredSpilledAndReadBack() {
        try (var store = new ObjectStore(1000, 0.5, 0.8, spillDir())) {
            TaskKey n = key("n", 1);
            store.put(n, null, 300, codec);
            assertThat(store.contains(n)).isTrue();
            assertThat(store.get(n)).isNull();
            assertThat(plain.decode(store.bytes(n))).isNull();

            store.put(key("x", 2), "x", 300, codec);
            assertThat(store.spilled(n)).isTrue();
            assertThat(store.get(n)).isNull();
            assertThat(store.spilled(n)).isFalse();

            TaskKey fetched = key("fetched", 3);
            store.putBytes(fetched, plain.encode(null), codec);
            assertThat(store.get(fetched)).isNull();
            assertThat(store.get(fetched)).isNull();
            assertThat(codec.decodes.get()).isEqualTo(2); // one for fetched, one for n read back
        }
    }

    @Test
    void replacingAKeyDropsTheOldValueAndItsFile() {
        try (var store = new ObjectStore(100, spillDir())) {
            TaskKey a = key("a", 1);
            store.put(a, "old", 1000, codec);
            long oldBytes = store.spilledBytes();
            store.put(a, "new", 10, codec);
            assertThat(store.get(a)).isEqualTo("new");
            assertThat(fileOf(a)).doesNotExist();
            assertThat(store.spilledBytes()).isZero();
            assertThat(store.memoryBytes()).isEqualTo(10);
            assertThat(store.totalSpilledBytes()).isEqualTo(oldBytes);
        }
    }

    @Test
    void closeLeavesNoFilesBehind() throws IOException {
        var store = new ObjectStore(1000, spillDir());
        for (int i = 0; i < 20; i++) {
            store.put(key("t", i), "value " + i, 200, codec);
        }
        assertThat(store.spillCount()).isPositive();
        try (Stream<Path> files = Files.list(spillDir())) {
            assertThat(files).isNotEmpty();
        }

        store.close();

        assertThat(spillDir()).as("the store created the directory, so it removes it").doesNotExist();
        assertThat(store.size()).isZero();
        assertThatThrownBy(() -> store.put(key("t", 99), "late", 1, codec)).isInstanceOf(IllegalStateException.class);
        store.close(); // idempotent
    }

    @Test
    void closeKeepsASpillDirItDidNotCreateButEmptiesItOfItsFiles() throws IOException {
        Files.createDirectories(spillDir());
        Path foreign = Files.writeString(spillDir().resolve("not-ours.txt"), "keep me");
        try (var store = new ObjectStore(100, spillDir())) {
            store.put(key("a", 1), "x", 1000, codec);
            assertThat(fileOf(key("a", 1))).exists();
        }
        try (Stream<Path> files = Files.list(spillDir())) {
            assertThat(files).containsExactly(foreign);
        }
    }

    @Test
    void fileNamesAreSanitizedAndStayDistinct() {
        assertThat(ObjectStore.fileName(key("load_csv", 12))).isEqualTo("load_csv-12");
        String slash = ObjectStore.fileName(key("a/b", 1));
        String underscore = ObjectStore.fileName(key("a_b", 1));
        String dots = ObjectStore.fileName(key("../..", 1));
        assertThat(slash).matches("[A-Za-z0-9._~-]+").isNotEqualTo(underscore);
        assertThat(dots).doesNotContain("/");
        assertThat(ObjectStore.fileName(key("x".repeat(1000), 1)).length()).isLessThan(150);

        try (var store = new ObjectStore(100, spillDir())) {
            store.put(key("a/b", 1), "slash", 1000, codec);
            store.put(key("a_b", 1), "underscore", 1000, codec);
            store.put(key("../..", 1), "dots", 1000, codec);
            assertThat(store.get(key("a/b", 1))).isEqualTo("slash");
            assertThat(store.get(key("a_b", 1))).isEqualTo("underscore");
            assertThat(store.get(key("../..", 1))).isEqualTo("dots");
            assertThat(spillDir().resolve(slash + ".bin")).exists();
        }
    }

    @Test
    void concurrentPutsAndGetsFromSeveralThreadsSeeTheirOwnValues() throws Exception {
        int threads = 4, perThread = 60;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        // Room for 10 of the 240 values, so most puts and gets spill or read back.
        try (var store = new ObjectStore(1000, 0.5, 0.8, spillDir())) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < perThread; i++) {
                        TaskKey k = key("t" + thread, i);
                        store.put(k, List.of(thread, i), 50, codec);
                        // Read back an older value of ours, and a value of another thread's as a peer would.
                        int older = i / 2;
                        assertThat(store.get(key("t" + thread, older))).isEqualTo(List.of(thread, older));
                        TaskKey other = key("t" + ((thread + 1) % threads), older);
                        if (store.contains(other)) {
                            assertThat(plain.decode(store.bytes(other))).isEqualTo(List.of((thread + 1) % threads, older));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }

            assertThat(store.size()).isEqualTo(threads * perThread);
            assertThat(store.spillCount()).isPositive();
            assertThat(store.memoryBytes()).isLessThanOrEqualTo(500);
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    assertThat(store.get(key("t" + t, i))).isEqualTo(List.of(t, i));
                }
            }
            long filesOnDisk;
            try (Stream<Path> files = Files.list(spillDir())) {
                filesOnDisk = files.filter(p -> p.toString().endsWith(".bin")).count();
            }
            long spilledEntries = 0;
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    spilledEntries += store.spilled(key("t" + t, i)) ? 1 : 0;
                }
            }
            assertThat(filesOnDisk).isEqualTo(spilledEntries);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(spillDir()).doesNotExist();
    }

    @Test
    void pausesWhenSpillingFailsAndKeepsValuesInMemory() throws IOException {
        Path notADirectory = Files.writeString(temp.resolve("spill"), "a regular file");
        var logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ObjectStore.class);
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try (var store = new ObjectStore(1000, notADirectory)) {
            for (int i = 0; i < 5; i++) {
                store.put(key("v", i), "value " + i, 200, codec);
            }
            assertThat(store.spillCount()).isZero();
            assertThat(store.memoryBytes()).isEqualTo(1000);
            assertThat(store.paused()).isTrue();
            for (int i = 0; i < 5; i++) {
                assertThat(store.get(key("v", i))).isEqualTo("value " + i);
                assertThat(store.spilled(key("v", i))).isFalse();
            }
            assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(1);

            // Freeing memory (the worker drops results) lifts the pause.
            store.remove(key("v", 0));
            store.remove(key("v", 1));
            assertThat(store.paused()).isFalse();
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(Files.readString(notADirectory)).isEqualTo("a regular file");
    }

    @Test
    void aValueTheCodecCannotEncodeStaysInMemory() {
        try (var store = new ObjectStore(1000, 0.5, 0.8, spillDir())) {
            TaskKey odd = key("odd", 1);
            store.put(odd, new Object(), 400, codec); // not Serializable
            store.put(key("b", 2), "b", 400, codec);
            assertThat(store.spilled(odd)).isFalse();
            assertThat(store.memoryBytes()).isEqualTo(800);

            // It is not tried again: the next spill takes the next least recently used value.
            store.put(key("c", 3), "c", 100, codec);
            assertThat(store.spilled(key("b", 2))).isTrue();
            assertThat(store.spilled(odd)).isFalse();
            assertThat(store.get(odd)).isNotNull();
            assertThat(store.memoryBytes()).isEqualTo(500);
        }
    }

    @Test
    void rejectsBadConfigurationWithTheValue() {
        assertThatThrownBy(() -> new ObjectStore(0, spillDir())).hasMessageContaining("0");
        assertThatThrownBy(() -> new ObjectStore(100, 0.9, 0.5, spillDir())).hasMessageContaining("0.5");
        try (var store = new ObjectStore(100, spillDir())) {
            assertThatThrownBy(() -> store.put(key("a", 1), "x", -1, codec)).hasMessageContaining("-1");
            assertThat(store.memoryLimit()).isEqualTo(100);
        }
    }
}
