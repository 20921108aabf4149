package dev.burst.internal.codeshipping;

import com.google.protobuf.ByteString;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Content-addressed blobs (classpath jars) in a directory, {@code <sha256>.jar}, plus the files of
 * a node's own classpath, served where they lie without copying.
 *
 * <p>Design: a blob enters the store only through {@link #receive} or {@link #adopt}, which write
 * to a temporary file of their own, check that the bytes hash to the blob's name and only then
 * rename it into place atomically. So a blob in the store is always whole and correct, readers
 * never see a partial file, and concurrent uploads of the same blob need no locking: each writes
 * its own copy, the last rename wins, and both copies are the same bytes. Thread-safe.
 */
public final class BlobStore {
    private final Path dir;
    private final ClasspathOffer own;

    /**
     * @param dir where received blobs live (created if needed)
     * @param own files this node has anyway, served without copying; {@link ClasspathOffer#none()} for none
     * @throws UncheckedIOException when {@code dir} cannot be created
     */
    public BlobStore(Path dir, ClasspathOffer own) {
        this.dir = dir;
        this.own = own;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the blob directory " + dir + ": " + e.getMessage(), e);
        }
    }

    Path dir() {
        return dir;
    }

    /**
     * Whether this store can serve the blob.
     *
     * @throws IllegalArgumentException when {@code sha256} is not a SHA-256 in hex
     */
    boolean has(String sha256) {
        return path(sha256) != null;
    }

    /**
     * The file holding the blob, or null when this store does not have it.
     *
     * @throws IllegalArgumentException when {@code sha256} is not a SHA-256 in hex
     */
    Path path(String sha256) {
        Path mine = own.file(Sha256.require(sha256));
        if (mine != null && Files.isRegularFile(mine)) {
            return mine;
        }
        Path stored = stored(sha256);
        return Files.isRegularFile(stored) ? stored : null;
    }

    /**
     * Those of {@code sha256s} this store lacks, in order, each once.
     *
     * @throws IllegalArgumentException naming the first that is not a SHA-256 in hex
     */
    List<String> missing(Collection<String> sha256s) {
        List<String> missing = new ArrayList<>();
        for (String sha256 : new LinkedHashSet<>(sha256s)) {
            if (!has(sha256)) {
                missing.add(sha256);
            }
        }
        return missing;
    }

    /**
     * Starts receiving a blob in pieces. Close the receiver to abandon it (closing after
     * {@link Receiver#commit()} does nothing).
     *
     * @throws IllegalArgumentException when {@code sha256} is not a SHA-256 in hex
     */
    Receiver receive(String sha256) throws IOException {
        return new Receiver(Sha256.require(sha256));
    }

    /**
     * A temporary file in this store's directory, for a blob that is written whole (a fetch) and
     * then {@link #adopt adopted}.
     */
    Path temporaryFile(String sha256) throws IOException {
        return Files.createTempFile(dir, Sha256.require(sha256) + "-", ".part");
    }

    /**
     * Moves a complete file into the store as blob {@code sha256}, after checking its hash; the
     * file is gone afterwards either way.
     *
     * @return the blob's path in the store
     * @throws BlobMismatchException when the file's content does not hash to {@code sha256}
     */
    Path adopt(String sha256, Path file) throws IOException {
        try {
            String actual = Sha256.ofFile(file);
            if (!actual.equals(Sha256.require(sha256))) {
                throw new BlobMismatchException(sha256, actual, Files.size(file));
            }
            return moveIn(sha256, file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Path stored(String sha256) {
        return dir.resolve(sha256 + ".jar");
    }

    private Path moveIn(String sha256, Path temp) throws IOException {
        Path target = stored(sha256);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** One blob arriving in pieces; not thread-safe (pieces of one blob come in order). */
    final class Receiver implements Closeable {
        private final String sha256;
        private final Path temp;
        private final FileChannel out;
        private final MessageDigest digest = Sha256.digest();
        private long bytes;
        private boolean done;

        private Receiver(String sha256) throws IOException {
            this.sha256 = sha256;
            this.temp = temporaryFile(sha256);
            this.out = FileChannel.open(temp, StandardOpenOption.WRITE);
        }

        String sha256() {
            return sha256;
        }

        long bytes() {
            return bytes;
        }

        void write(ByteString data) throws IOException {
            if (done) {
                throw new IllegalStateException("blob " + sha256 + " is already complete");
            }
            for (ByteBuffer buffer : data.asReadOnlyByteBufferList()) {
                digest.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            bytes += data.size();
        }

        /**
         * Checks the hash and moves the blob into place.
         *
         * @return the blob's path in the store
         * @throws BlobMismatchException when the bytes received do not hash to the blob's name; nothing is stored
         */
        Path commit() throws IOException {
            if (done) {
                throw new IllegalStateException("blob " + sha256 + " is already complete");
            }
            done = true;
            try {
                out.close();
                String actual = Sha256.hex(digest);
                if (!actual.equals(sha256)) {
                    throw new BlobMismatchException(sha256, actual, bytes);
                }
                return moveIn(sha256, temp);
            } finally {
                Files.deleteIfExists(temp);
            }
        }

        /** Abandons the blob unless it was committed. */
        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                out.close();
                Files.deleteIfExists(temp);
            }
        }
    }
}
