package dev.burst.internal.codeshipping;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobStoreTest {
    @TempDir
    Path tmp;

    static String sha(byte[] bytes) {
        MessageDigest digest = Sha256.digest();
        digest.update(bytes);
        return Sha256.hex(digest);
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void aBlobIsStoredOnceItsHashIsVerified() throws Exception {
        BlobStore store = new BlobStore(tmp.resolve("blobs"), ClasspathOffer.none());
        byte[] content = "some classes".getBytes(StandardCharsets.UTF_8);
        String sha = sha(content);
        assertThat(store.has(sha)).isFalse();
        assertThat(store.missing(List.of(sha, sha))).containsExactly(sha);

        try (BlobStore.Receiver receiver = store.receive(sha)) {
            receiver.write(ByteString.copyFrom(content, 0, 4));
            assertThat(store.has(sha)).as("not before it is complete").isFalse();
            receiver.write(ByteString.copyFrom(content, 4, content.length - 4));
            assertThat(receiver.commit()).isEqualTo(tmp.resolve("blobs").resolve(sha + ".jar"));
        }
        assertThat(store.has(sha)).isTrue();
        assertThat(Files.readAllBytes(store.path(sha))).isEqualTo(content);
        assertThat(store.missing(List.of(sha))).isEmpty();
        assertThat(files(tmp.resolve("blobs"))).containsExactly(store.path(sha));
    }

    @Test
    void aBlobWhoseBytesDoNotMatchItsHashIsRefused() throws Exception {
        BlobStore store = new BlobStore(tmp.resolve("blobs"), ClasspathOffer.none());
        String sha = sha("the real thing".getBytes(StandardCharsets.UTF_8));
        try (BlobStore.Receiver receiver = store.receive(sha)) {
            receiver.write(ByteString.copyFromUtf8("a forgery"));
            assertThatThrownBy(receiver::commit)
                    .isInstanceOf(BlobMismatchException.class)
                    .hasMessageContaining("blob " + sha + " refused")
                    .hasMessageContaining(sha("a forgery".getBytes(StandardCharsets.UTF_8)))
                    .hasMessageContaining("9 bytes");
        }
        assertThat(store.has(sha)).isFalse();
        assertThat(files(tmp.resolve("blobs"))).as("no partial file left").isEmpty();

        Path forged = store.temporaryFile(sha);
        Files.writeString(forged, "a forgery");
        assertThatThrownBy(() -> store.adopt(sha, forged)).isInstanceOf(BlobMismatchException.class);
        assertThat(forged).doesNotExist();
        assertThat(store.has(sha)).isFalse();
    }

    @Test
    void concurrentUploadsOfOneBlobBothSucceed() throws Exception {
        BlobStore store = new BlobStore(tmp.resolve("blobs"), ClasspathOffer.none());
        byte[] content = "shared library".getBytes(StandardCharsets.UTF_8);
        String sha = sha(content);
        try (BlobStore.Receiver one = store.receive(sha); BlobStore.Receiver two = store.receive(sha)) {
            one.write(ByteString.copyFrom(content, 0, 3));
            two.write(ByteString.copyFrom(content, 0, 5));
            one.write(ByteString.copyFrom(content, 3, content.length - 3));
            two.write(ByteString.copyFrom(content, 5, content.length - 5));
            Path first = one.commit();
            assertThat(Files.readAllBytes(first)).isEqualTo(content);
            assertThat(two.commit()).isEqualTo(first);
        }
        assertThat(Files.readAllBytes(store.path(sha))).isEqualTo(content);
        assertThat(files(tmp.resolve("blobs"))).hasSize(1);
    }

    @Test
    void aNodesOwnFilesAreServedWhereTheyLie() throws Exception {
        Path jar = Files.writeString(tmp.resolve("own.jar"), "own classes");
        ClasspathOffer own = ClasspathOffer.of(List.of(jar), tmp.resolve("cache"));
        BlobStore store = new BlobStore(tmp.resolve("blobs"), own);
        String sha = Sha256.ofFile(jar);
        assertThat(store.has(sha)).isTrue();
        assertThat(store.path(sha)).isEqualTo(jar.toAbsolutePath());
        assertThat(files(tmp.resolve("blobs"))).isEmpty();
    }

    @Test
    void namesThatAreNotHashesAreRefused() {
        BlobStore store = new BlobStore(tmp.resolve("blobs"), ClasspathOffer.none());
        assertThatThrownBy(() -> store.has("../../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../../etc/passwd'");
        assertThatThrownBy(() -> store.receive("A".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.missing(List.of("0".repeat(64), "x"))).isInstanceOf(IllegalArgumentException.class);
    }
}
