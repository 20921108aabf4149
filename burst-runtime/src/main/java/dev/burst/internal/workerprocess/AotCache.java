package dev.burst.internal.workerprocess;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JVM options that start worker JVMs from an ahead-of-time cache (JDK 25: JEP 483, 514, 515): the
 * classes a worker loads and links on its way to joining (gRPC, Netty, TLS, protobuf, Fory) and
 * their method profiles, taken from a training run, so a new worker maps them instead of loading,
 * verifying and profiling them again. It replaces the class-data archive ({@link ClassDataArchive})
 * where it can; a worker with neither falls back to that archive.
 *
 * <p>Design notes.
 * <ul>
 *   <li>Three steps, none on a worker's critical path. <b>Record</b>: one worker of a given JDK and
 *   class path (the one whose launcher wins the {@code .training} lock file) runs with
 *   {@code -XX:AOTMode=record}; the JVM writes what it loaded to {@code .aotconf} when it exits
 *   (cheap, unlike JDK 25's one-step {@code -XX:AOTCacheOutput}, which forks the assembly at exit,
 *   where a Slurm job's end kills it). <b>Create</b>: the next launcher that finds the configuration
 *   assembles the cache in a background JVM (a few seconds), into a temporary file renamed into place,
 *   so a worker never maps half a cache. <b>Use</b>: every later worker gets {@code -XX:AOTCache}.
 *   <li>Keyed like the class-data archive: by the java command, its version, the class path and its
 *   jars' sizes and times (the JVM refuses a cache whose jars changed); older caches of the same
 *   class path are deleted. Jars only: the JVM cannot cache classes from a directory.
 *   <li>Only when the launching JVM is JDK 25 or newer and the worker runs the same java (the
 *   launcher cannot tell another JDK's version cheaply). {@code BURST_WORKER_CDS=0} turns both off.
 *   <li>A failed assembly deletes the configuration, so the next launch records again; a training
 *   lock older than {@link #STALE_LOCK} (its worker never exited cleanly) is taken over.
 * </ul>
 */
final class AotCache {
    private static final Logger log = LoggerFactory.getLogger(AotCache.class);
    static final int MIN_FEATURE = 25;
    static final Duration STALE_LOCK = Duration.ofMinutes(30);
    /**
     * Run by {@code /bin/sh} around the assembling JVM (its arguments): on success the cache is
     * renamed into place (atomically) and its log deleted; either way the configuration (used, or
     * useless: the next launch records afresh), the partial file and the lock go.
     */
    private static final String FINISH_ASSEMBLY = """
            "$@"; rc=$?
            if [ "$rc" -eq 0 ] && [ -s "$BURST_AOT_PARTIAL" ] && mv -f "$BURST_AOT_PARTIAL" "$BURST_AOT_CACHE"; then rm -f "$BURST_AOT_LOG"; else rc=1; fi
            rm -f "$BURST_AOT_CONFIGURATION" "$BURST_AOT_PARTIAL" "$BURST_AOT_LOCK"
            exit "$rc"
            """;
    /** POSIX nice(1), where there is one. */
    private static final Path NICE = Path.of("/usr/bin/nice");

    /** The three files of one JDK and class path. */
    record Files3(Path cache, Path configuration, Path trainingLock) {
    }

    private AotCache() {
    }

    /**
     * The AOT options for a worker started from {@code java} with {@code classpath} and the worker's
     * {@code baseOptions} (heap, collector, openings: the assembly must see the same), or null when
     * the AOT cache does not apply here (then the class-data archive does).
     */
    static List<String> jvmOptions(String java, String classpath, List<String> baseOptions, Path cacheRoot) {
        if (Runtime.version().feature() < MIN_FEATURE || !java.equals(dev.burst.spi.WorkerLaunch.thisJava())
                || ClassDataArchive.hasDirectory(classpath)) {
            return null;
        }
        Files3 files = files(cacheRoot, java, classpath);
        try {
            if (nonEmpty(files.cache())) {
                return List.of("-XX:AOTCache=" + files.cache(), "-Xlog:aot=off", "-Xlog:cds=off");
            }
            if (nonEmpty(files.configuration()) && !Files.exists(files.trainingLock())) {
                startAssembly(java, classpath, baseOptions, files);
                return null; // this worker starts without: the cache is not there yet
            }
            if (takeTrainingLock(files.trainingLock())) {
                return List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + files.configuration(), "-Xlog:aot=off", "-Xlog:cds=off");
            }
        } catch (IOException e) {
            log.debug("no AOT cache for workers: {}", e.toString());
        }
        return null;
    }

    static Files3 files(Path cacheRoot, String java, String classpath) {
        Path dir = cacheRoot.resolve("aot");
        String prefix = ClassDataArchive.key(java + "\n" + System.getProperty("java.version") + "\n" + classpath);
        String name = prefix + "-" + ClassDataArchive.key(ClassDataArchive.stamps(classpath));
        deleteStale(dir, prefix, name);
        return new Files3(dir.resolve(name + ".aot"), dir.resolve(name + ".aotconf"), dir.resolve(name + ".training"));
    }

    private static void deleteStale(Path dir, String prefix, String name) {
        File[] stale = dir.toFile().listFiles((d, f) -> f.startsWith(prefix + "-") && !f.startsWith(name + "."));
        if (stale != null) {
            for (File f : stale) {
                f.delete();
            }
        }
    }

    private static boolean nonEmpty(Path p) throws IOException {
        return Files.isRegularFile(p) && Files.size(p) > 0;
    }

    /**
     * The training lock: created by the launcher whose worker records; removed once its
     * configuration is written (the next launcher sees both and assembles), or taken over when stale.
     */
    private static boolean takeTrainingLock(Path lock) throws IOException {
        Files.createDirectories(lock.getParent());
        if (Files.exists(lock)) {
            Instant made = Files.getLastModifiedTime(lock).toInstant();
            if (nonEmpty(configurationOf(lock))) {
                Files.deleteIfExists(lock); // its worker wrote the configuration and exited
                return false;
            }
            if (made.plus(STALE_LOCK).isAfter(Instant.now())) {
                return false; // a worker is recording now
            }
            Files.deleteIfExists(lock);
        }
        try {
            Files.createFile(lock);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false; // another launcher won
        }
    }

    private static Path configurationOf(Path lock) {
        String n = lock.getFileName().toString();
        return lock.resolveSibling(n.substring(0, n.length() - ".training".length()) + ".aotconf");
    }

    /** Assembles the cache in a background JVM, once per configuration (an assembly lock), into a temporary file renamed into place. */
    private static void startAssembly(String java, String classpath, List<String> baseOptions, Files3 files) throws IOException {
        Path lock = files.cache().resolveSibling(files.cache().getFileName() + ".assembling");
        try {
            Files.createFile(lock);
        } catch (FileAlreadyExistsException e) {
            if (Files.getLastModifiedTime(lock).toInstant().plus(STALE_LOCK).isAfter(Instant.now())) {
                return; // being assembled
            }
            Files.setLastModifiedTime(lock, FileTime.from(Instant.now()));
        }
        Path partial = files.cache().resolveSibling(files.cache().getFileName() + ".partial");
        List<String> java0 = new ArrayList<>();
        // At the lowest priority: the assembly takes seconds of CPU, and the workers that start
        // meanwhile (the user's, timed) must not wait for it. It only saves later starts time.
        if (Files.isExecutable(NICE)) {
            java0.addAll(List.of(NICE.toString(), "-n", "19"));
        }
        java0.add(java);
        java0.addAll(baseOptions);
        java0.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + files.configuration(), "-XX:AOTCache=" + partial,
                "-Xlog:aot=off", "-Xlog:cds=off", "-cp", classpath));
        Path logFile = files.cache().resolveSibling(files.cache().getFileName() + ".log");
        // The shell, not this JVM, puts the cache in place and cleans up: a launcher that ends first
        // (a demo, a burst map) must not leave a finished cache under its temporary name, unused.
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", FINISH_ASSEMBLY, "burst-aot-assembly"));
        cmd.addAll(java0);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
        pb.environment().putAll(Map.of("BURST_AOT_PARTIAL", partial.toString(), "BURST_AOT_CACHE", files.cache().toString(),
                "BURST_AOT_CONFIGURATION", files.configuration().toString(), "BURST_AOT_LOCK", lock.toString(),
                "BURST_AOT_LOG", logFile.toString()));
        Process p = pb.start();
        p.onExit().thenRun(() -> {
            if (p.exitValue() == 0) {
                log.info("workers of this class path start from an AOT cache now: {}", files.cache());
            } else {
                log.info("could not assemble the workers' AOT cache (exit {}); see {}", p.exitValue(), logFile);
            }
        });
        // Not waited for: the worker being launched starts without the cache; a launcher that ends first leaves it to finish.
    }
}
