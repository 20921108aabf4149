package dev.burst.internal.workerprocess;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * JVM options that give worker JVMs a dynamic class-data-sharing archive (JDK 19+
 * {@code -XX:+AutoCreateSharedArchive}): the first worker of a class path writes the classes it
 * loaded to {@code ~/.burst/cache/cds/<hash>-<hash>.jsa} when it exits, and every later worker maps them
 * instead of loading and verifying them again. Measured on a Slurm worker here: from job start to
 * joined the scheduler 2.6 s instead of 3.5 s. The JVM checks the archive against its own version
 * and class path and ignores one that does not match (JDK 25 does not rewrite it), so a stale or
 * half-written archive costs only the saving. The name is keyed by the JDK, the class path and its jars' sizes
 * and times, because one archive serves one such set.
 */
final class ClassDataArchive {
    private ClassDataArchive() {
    }

    /** The options for a worker JVM started from {@code java} with {@code classpath}; empty if disabled. */
    static List<String> jvmOptions(String java, String classpath) {
        if ("0".equals(System.getenv("BURST_WORKER_CDS")) || hasDirectory(classpath)) {
            return List.of(); // the JVM archives jars only: a directory on the class path makes the dump fail
        }
        Path dir = dev.burst.BurstDirectories.fromEnvironment().cache().resolve("cds");
        dir.toFile().mkdirs();
        // The JVM refuses an archive whose jars changed (a rebuild) and does not write a new one, so
        // the name carries the jars' sizes and times too; older archives of this class path go.
        String prefix = key(java + "\n" + System.getProperty("java.version") + "\n" + classpath);
        String name = prefix + "-" + key(stamps(classpath)) + ".jsa";
        java.io.File[] stale = dir.toFile().listFiles((d, f) -> f.startsWith(prefix + "-") && !f.equals(name));
        if (stale != null) {
            for (java.io.File f : stale) {
                f.delete();
            }
        }
        return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + dir.resolve(name), "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    static String stamps(String classpath) {
        StringBuilder b = new StringBuilder();
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            java.io.File f = new java.io.File(entry);
            b.append(f.length()).append(':').append(f.lastModified()).append('\n');
        }
        return b.toString();
    }

    static boolean hasDirectory(String classpath) {
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank() && java.nio.file.Files.isDirectory(Path.of(entry))) {
                return true;
            }
        }
        return false;
    }

    static String key(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
