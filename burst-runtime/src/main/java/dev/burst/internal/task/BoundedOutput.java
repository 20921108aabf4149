package dev.burst.internal.task;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Reads one output stream of a program to its end: keeps the first {@code limit} bytes in memory,
 * and once the stream is longer writes all of it (the head included) to a spill file, so the file
 * alone has the whole output. Nothing touches the disk for output within the limit.
 */
public final class BoundedOutput {
    private final int limit;
    private final Path spillFile;
    private final ByteArrayOutputStream head;
    private OutputStream spill;
    private IOException spillError;
    private long total;

    /**
     * @param limit     bytes kept in memory
     * @param spillFile where the whole stream goes if it is longer than {@code limit}; created only then
     */
    public BoundedOutput(int limit, Path spillFile) {
        this.limit = limit;
        this.spillFile = spillFile;
        this.head = new ByteArrayOutputStream(Math.min(limit, 8192));
    }

    /**
     * Reads {@code in} until its end and closes it. A spill file that cannot be written does not
     * stop the reading (the program would block on a full pipe): the rest is dropped and
     * {@link #spillError()} says why.
     */
    public void drain(InputStream in) throws IOException {
        byte[] buf = new byte[16384];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                try {
                    accept(buf, n);
                } catch (IOException e) {
                    spillError = e;
                    closeSpill();
                }
            }
        } finally {
            closeSpill();
        }
    }

    private void closeSpill() {
        if (spill != null) {
            try {
                spill.close();
            } catch (IOException e) {
                if (spillError == null) {
                    spillError = e;
                }
            }
        }
    }

    private void accept(byte[] buf, int n) throws IOException {
        total += n;
        if (spillError != null) {
            return;
        }
        if (spill != null) {
            spill.write(buf, 0, n);
            return;
        }
        int room = limit - head.size();
        if (n <= room) {
            head.write(buf, 0, n);
            return;
        }
        head.write(buf, 0, room);
        createPrivateDirectories(spillFile.getParent());
        spill = Files.newOutputStream(spillFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        head.writeTo(spill);
        spill.write(buf, room, n - room);
    }

    /** Output can be private: a directory this creates is readable by its owner only (where POSIX). */
    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /** The first {@code limit} bytes. */
    public byte[] head() {
        return head.toByteArray();
    }

    /** All bytes read so far. */
    public long totalBytes() {
        return total;
    }

    /** Why the spill file could not be written, or null. */
    public IOException spillError() {
        return spillError;
    }

    /** The spill file, or null when the output fit in memory. */
    public Path spillFile() {
        return spill == null ? null : spillFile;
    }
}
