package dev.burst.internal.codeshipping;

import dev.burst.internal.protocol.wire.ClasspathEntry;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A process's classpath as content-addressed blobs, the way a client offers its code to a cluster
 * (and a worker or scheduler says what it already has).
 *
 * <p>Design: an entry is named by the SHA-256 of its bytes, so a blob is uploaded and fetched at
 * most once however many clients and sessions use it, and a worker started with the same jars as
 * the client fetches nothing. A jar is hashed as it is. A directory of classes (an IDE's or Maven's
 * output) is packed into a jar first, deterministically (entries sorted, fixed timestamps), so an
 * unchanged directory keeps its hash across runs and machines. Hashes are remembered in memory by
 * path, size and modification time: offering the same classpath again only stats its files.
 * A jar's manifest {@code Class-Path} is followed (a {@code java -jar app.jar} client lists its
 * libraries there); entries that do not exist are skipped.
 */
public final class ClasspathOffer {
    /** DOS time, stored as given (no time zone), so packed jars are equal everywhere. */
    private static final LocalDateTime PACKED_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private record JarHash(long size, long modified, String sha256, List<Path> manifestClassPath) {
    }

    private record PackedDirectory(String fingerprint, Path jar, String sha256) {
    }

    private static final Map<Path, JarHash> JAR_HASHES = new ConcurrentHashMap<>();
    private static final Map<List<Path>, PackedDirectory> PACKED = new ConcurrentHashMap<>();

    private final List<ClasspathEntry> entries;
    private final Map<String, Path> files;

    private ClasspathOffer(List<ClasspathEntry> entries, Map<String, Path> files) {
        this.entries = List.copyOf(entries);
        this.files = Collections.unmodifiableMap(files);
    }

    /**
     * The entries of this JVM's {@code java.class.path}, in order; directories are packed under
     * {@code cacheDir}.
     *
     * @throws UncheckedIOException when an entry cannot be read or packed
     */
    public static ClasspathOffer ofThisJvm(Path cacheDir) {
        List<Path> paths = new ArrayList<>();
        for (String part : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (part.isBlank()) {
                continue;
            }
            try {
                paths.add(Path.of(part));
            } catch (InvalidPathException e) {
                // not a file this JVM could have loaded from either
            }
        }
        return of(paths, cacheDir);
    }

    /**
     * These entries (jars or class directories), in order; directories are packed under {@code cacheDir}.
     *
     * @throws UncheckedIOException when an entry cannot be read or packed
     */
    static ClasspathOffer of(List<Path> classpath, Path cacheDir) {
        Map<String, Path> files = new LinkedHashMap<>();
        List<ClasspathEntry> entries = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        List<Path> absolute = classpath.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        hashInParallel(absolute);
        try {
            for (Path path : absolute) {
                add(path, cacheDir, seen, files, entries);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot offer the classpath: " + e.getMessage(), e);
        }
        return new ClasspathOffer(entries, files);
    }

    /** An offer of nothing: for a node that has no classpath of its own to share. */
    static ClasspathOffer none() {
        return new ClasspathOffer(List.of(), Map.of());
    }

    /** The entries, in classpath order, each once. */
    public List<ClasspathEntry> entries() {
        return entries;
    }

    /** The local file of an entry (a packed jar for a directory), or null when none of the entries has this hash. */
    Path file(String sha256) {
        return files.get(sha256);
    }

    /** The hashes of the entries, in classpath order. */
    Set<String> hashes() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(files.keySet()));
    }

    /** Forgets remembered hashes, so the next offer hashes and packs everything again (for measurements). */
    static void forgetHashes() {
        JAR_HASHES.clear();
        PACKED.clear();
    }

    private static void add(Path path, Path cacheDir, Set<Path> seen, Map<String, Path> files,
                            List<ClasspathEntry> entries) throws IOException {
        if (!seen.add(path)) {
            return;
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            return; // does not exist (or cannot be seen): the JVM skips it too
        }
        if (attributes.isDirectory()) {
            PackedDirectory packed = pack(path, cacheDir);
            if (packed != null) {
                offer(path.getFileName() + ".jar", packed.sha256(), packed.jar(), files, entries);
            }
        } else if (attributes.isRegularFile()) {
            JarHash hash = hashJar(path, attributes);
            offer(path.getFileName().toString(), hash.sha256(), path, files, entries);
            for (Path next : hash.manifestClassPath()) {
                add(next, cacheDir, seen, files, entries);
            }
        }
    }

    /**
     * Hashes the jars not remembered yet on several cores (a cold classpath of a few hundred MiB
     * takes a while on one); errors are left for the ordered pass to report.
     */
    private static void hashInParallel(List<Path> classpath) {
        List<Path> jars = classpath.stream().distinct().filter(Files::isRegularFile).toList();
        if (jars.size() < 2) {
            return;
        }
        jars.parallelStream().forEach(jar -> {
            try {
                hashJar(jar, Files.readAttributes(jar, BasicFileAttributes.class));
            } catch (IOException | UncheckedIOException e) {
                // reported by add()
            }
        });
    }

    private static void offer(String name, String sha256, Path file, Map<String, Path> files,
                              List<ClasspathEntry> entries) throws IOException {
        if (files.putIfAbsent(sha256, file) == null) {
            entries.add(ClasspathEntry.newBuilder().setName(name).setSha256(sha256).setSize(Files.size(file)).build());
        }
    }

    private static JarHash hashJar(Path jar, BasicFileAttributes attributes) throws IOException {
        long size = attributes.size();
        long modified = attributes.lastModifiedTime().toMillis();
        JarHash known = JAR_HASHES.get(jar);
        if (known != null && known.size() == size && known.modified() == modified) {
            return known;
        }
        String sha256 = HashesOnDisk.lookup(jar, size, modified);
        if (sha256 == null) {
            sha256 = Sha256.ofFile(jar);
            HashesOnDisk.remember(jar, size, modified, sha256);
        }
        JarHash hash = new JarHash(size, modified, sha256, manifestClassPath(jar));
        JAR_HASHES.put(jar, hash);
        return hash;
    }

    /**
     * Jar hashes kept across processes ({@code ~/.burst/cache/jar-hashes.tsv}: size, modified time,
     * hash, path per line). Hashing a 36 MiB classpath cold takes 1–2.5 s here, and every client
     * and every (re)started worker process would pay it; with this file they pay a file read.
     * Lines are only appended, each in one write, so concurrent processes do not corrupt it; a
     * jar that changed has a new size or time, so its old line is simply not used.
     */
    private static final class HashesOnDisk {
        private static final Path FILE = dev.burst.BurstDirectories.fromEnvironment().cache().resolve("jar-hashes.tsv");
        private static volatile Map<String, String> known;

        private static String key(Path jar, long size, long modified) {
            return size + "\t" + modified + "\t" + jar.toAbsolutePath().normalize();
        }

        static String lookup(Path jar, long size, long modified) {
            Map<String, String> k = known;
            if (k == null) {
                k = new ConcurrentHashMap<>();
                try {
                    for (String line : Files.readAllLines(FILE)) {
                        String[] f = line.split("\t", 4);
                        if (f.length == 4 && Sha256.isValid(f[2])) {
                            k.put(f[0] + "\t" + f[1] + "\t" + f[3], f[2]);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // no file yet, or unreadable: hash everything
                }
                known = k;
            }
            return k.get(key(jar, size, modified));
        }

        static void remember(Path jar, long size, long modified, String sha256) {
            Map<String, String> k = known;
            if (k != null) {
                k.put(key(jar, size, modified), sha256);
            }
            try {
                Files.createDirectories(FILE.getParent());
                Files.writeString(FILE, size + "\t" + modified + "\t" + sha256 + "\t" + jar.toAbsolutePath().normalize() + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                // a cache: without it the next process hashes again
            }
        }
    }

    /** The local files a jar's manifest {@code Class-Path} names, relative to the jar's directory. */
    private static List<Path> manifestClassPath(Path jar) {
        String classPath;
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            Manifest manifest = file.getManifest();
            classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        } catch (IOException | SecurityException e) {
            return List.of(); // not a jar: offered as it is, with nothing to follow
        }
        if (classPath == null || classPath.isBlank()) {
            return List.of();
        }
        URI base = jar.getParent().toUri();
        List<Path> paths = new ArrayList<>();
        for (String url : classPath.trim().split("\\s+")) {
            try {
                URI resolved = base.resolve(url);
                if ("file".equals(resolved.getScheme())) {
                    paths.add(Path.of(resolved).toAbsolutePath().normalize());
                }
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                // an entry the JVM could not use either
            }
        }
        return paths;
    }

    /**
     * The directory as a deterministic jar under {@code cacheDir} named by its hash, or null when it
     * holds nothing. Packs again only when a file's path, size or modification time changed.
     */
    private static PackedDirectory pack(Path dir, Path cacheDir) throws IOException {
        List<String> names = new ArrayList<>();
        Map<String, Path> filesByName = new LinkedHashMap<>();
        MessageDigest fingerprint = Sha256.digest();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(dir)) {
                    continue;
                }
                StringBuilder name = new StringBuilder();
                for (Path part : dir.relativize(p)) {
                    name.append(name.isEmpty() ? "" : "/").append(part);
                }
                if (Files.isDirectory(p)) {
                    names.add(name.append('/').toString());
                } else if (Files.isRegularFile(p)) {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    names.add(name.toString());
                    filesByName.put(name.toString(), p);
                    fingerprint.update((name + "\0" + a.size() + "\0" + a.lastModifiedTime().toMillis() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        if (filesByName.isEmpty()) {
            return null;
        }
        Collections.sort(names);
        String print = Sha256.hex(fingerprint);
        List<Path> key = List.of(dir, cacheDir.toAbsolutePath().normalize());
        PackedDirectory known = PACKED.get(key);
        if (known != null && known.fingerprint().equals(print) && Files.isRegularFile(known.jar())) {
            return known;
        }
        Files.createDirectories(cacheDir);
        Path temp = Files.createTempFile(cacheDir, "packing-", ".part");
        try {
            MessageDigest digest = Sha256.digest();
            try (OutputStream file = Files.newOutputStream(temp);
                 ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(new DigestOutputStream(file, digest), 1 << 16))) {
                for (String name : names) {
                    ZipEntry entry = new ZipEntry(name);
                    entry.setTimeLocal(PACKED_TIME);
                    zip.putNextEntry(entry);
                    Path source = filesByName.get(name);
                    if (source != null) {
                        Files.copy(source, zip);
                    }
                    zip.closeEntry();
                }
            }
            String sha256 = Sha256.hex(digest);
            Path jar = cacheDir.resolve(sha256 + ".jar");
            Files.move(temp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            PackedDirectory packed = new PackedDirectory(print, jar, sha256);
            PACKED.put(key, packed);
            return packed;
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
