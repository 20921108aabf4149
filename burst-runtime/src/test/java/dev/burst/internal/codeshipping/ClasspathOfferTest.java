package dev.burst.internal.codeshipping;

import dev.burst.internal.protocol.wire.ClasspathEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

class ClasspathOfferTest {
    @TempDir
    Path tmp;

    private String hashOf(Path dir, Path cache) {
        ClasspathOffer offer = ClasspathOffer.of(List.of(dir), cache);
        assertThat(offer.entries()).hasSize(1);
        return offer.entries().getFirst().getSha256();
    }

    private static void touchAll(Path dir, Instant when) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.setLastModifiedTime(p, FileTime.from(when));
            }
        }
    }

    @Test
    void aDirectoryKeepsItsHashUntilAClassChanges() throws Exception {
        Path classes = UserLibrary.compile(tmp.resolve("lib"), 3);
        Path cache = tmp.resolve("cache");
        String first = hashOf(classes, cache);
        assertThat(hashOf(classes, cache)).isEqualTo(first);

        // Packed again from scratch, with other file times: the same bytes, the same hash.
        ClasspathOffer.forgetHashes();
        touchAll(classes, Instant.parse("2020-05-05T10:00:00Z"));
        assertThat(hashOf(classes, tmp.resolve("other-cache"))).isEqualTo(first);
        assertThat(Files.readAllBytes(tmp.resolve("cache").resolve(first + ".jar")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("other-cache").resolve(first + ".jar")));

        // The same library compiled elsewhere (another directory, other times) packs the same.
        Path again = UserLibrary.compile(tmp.resolve("lib2"), 3);
        assertThat(hashOf(again, cache)).isEqualTo(first);

        // A class changes: a new hash.
        UserLibrary.compile(tmp.resolve("lib"), 4);
        touchAll(classes, Instant.parse("2021-01-01T00:00:00Z"));
        String changed = hashOf(classes, cache);
        assertThat(changed).isNotEqualTo(first);
        assertThat(Sha256.ofFile(cache.resolve(changed + ".jar"))).isEqualTo(changed);
    }

    @Test
    void aPackedDirectoryLoadsLikeTheDirectory() throws Exception {
        Path classes = UserLibrary.compile(tmp.resolve("lib"), 3);
        ClasspathOffer offer = ClasspathOffer.of(List.of(classes), tmp.resolve("cache"));
        ClasspathEntry entry = offer.entries().getFirst();
        assertThat(entry.getName()).isEqualTo("classes.jar");
        Path jar = offer.file(entry.getSha256());
        assertThat(entry.getSize()).isEqualTo(Files.size(jar));
        try (URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, getClass().getClassLoader())) {
            assertThat(loader.loadClass("userlib.Jobs").getMethod("job").invoke(null)).isNotNull();
            assertThat(loader.getResource("userlib/")).isNotNull();
        }
    }

    @Test
    void jarsAreHashedAsTheyAreInOrderAndMissingEntriesAreSkipped() throws Exception {
        Path a = jar(tmp.resolve("a.jar"), null, "a.txt");
        Path b = jar(tmp.resolve("b.jar"), null, "b.txt");
        Path emptyDir = Files.createDirectories(tmp.resolve("empty"));
        ClasspathOffer offer = ClasspathOffer.of(List.of(b, tmp.resolve("nowhere.jar"), emptyDir, a, b), tmp.resolve("cache"));

        assertThat(offer.entries()).extracting(ClasspathEntry::getName).containsExactly("b.jar", "a.jar");
        assertThat(offer.entries()).extracting(ClasspathEntry::getSha256).containsExactly(Sha256.ofFile(b), Sha256.ofFile(a));
        assertThat(offer.hashes()).containsExactly(Sha256.ofFile(b), Sha256.ofFile(a));
        assertThat(offer.file(Sha256.ofFile(a))).isEqualTo(a.toAbsolutePath());
        assertThat(offer.file("0".repeat(64))).isNull();
    }

    @Test
    void aJarsManifestClassPathIsFollowed() throws Exception {
        Path lib = jar(Files.createDirectories(tmp.resolve("lib")).resolve("dep.jar"), null, "dep.txt");
        Path app = jar(tmp.resolve("app.jar"), "lib/dep.jar lib/absent.jar", "app.txt");
        ClasspathOffer offer = ClasspathOffer.of(List.of(app), tmp.resolve("cache"));
        assertThat(offer.entries()).extracting(ClasspathEntry::getName).containsExactly("app.jar", "dep.jar");
        assertThat(offer.file(Sha256.ofFile(lib))).isEqualTo(lib.toAbsolutePath());
    }

    /** Reports how long offering this test JVM's own classpath takes, without and with remembered hashes. */
    @Test
    void offeringThisJvmsClasspathIsCheapTheSecondTime() {
        ClasspathOffer.forgetHashes();
        long start = System.nanoTime();
        ClasspathOffer cold = ClasspathOffer.ofThisJvm(tmp.resolve("cache"));
        long coldNanos = System.nanoTime() - start;
        start = System.nanoTime();
        ClasspathOffer warm = ClasspathOffer.ofThisJvm(tmp.resolve("cache"));
        long warmNanos = System.nanoTime() - start;

        long bytes = cold.entries().stream().mapToLong(ClasspathEntry::getSize).sum();
        System.err.printf("ClasspathOffer.ofThisJvm: %d entries, %.1f MiB: cold %.1f ms, warm %.1f ms%n",
                cold.entries().size(), bytes / 1048576.0, coldNanos / 1e6, warmNanos / 1e6);
        assertThat(warm.entries()).isEqualTo(cold.entries());
        assertThat(cold.entries()).extracting(ClasspathEntry::getName).contains("classes.jar", "test-classes.jar");
    }

    private static Path jar(Path path, String classPath, String entry) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(path), manifest)) {
            out.putNextEntry(new ZipEntry(entry));
            out.write(entry.getBytes());
            out.closeEntry();
        }
        return path;
    }
}
