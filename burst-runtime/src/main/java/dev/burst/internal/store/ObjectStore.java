package dev.burst.internal.store;

import dev.burst.internal.core.TaskKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The results a worker computed or fetched, held in memory up to a budget and spilled to disk
 * beyond it.
 *
 * <p>Design note: each entry is in memory (decoded, or still as the bytes a peer sent), being
 * spilled, or on disk. When memory held exceeds {@code spillFraction × limit}, the least recently
 * used in-memory entries ({@code get} and {@code put} count as use) are written out until it no
 * longer does; a result bigger than that threshold goes straight to disk. The thread whose
 * {@code put} or {@code get} pushed memory over the threshold does the spilling before it returns,
 * so whoever produces data pays for making room and memory cannot run far ahead of the disk.
 *
 * <p>One lock guards the bookkeeping. Under it happen only map updates, counters, and renames
 * and deletes of spill files (metadata operations with bounded cost). Encoding and decoding user
 * objects, and reading and writing file contents, happen outside it: a codec may be slow, may take
 * its own locks, or may even call back into this store, and none of that can block other threads
 * here or deadlock. The price is that a thread which read or decoded outside the lock checks,
 * once it holds the lock again, that the entry is still the one it started with (and for a file
 * read, the same spill of it), and looks again if not.
 *
 * <p>If a spill fails (disk full, an unwritable directory, a value the codec cannot encode), the
 * value stays in memory and a warning is logged once; {@link #paused()} then tells the worker to
 * stop taking tasks while memory stays above the pause threshold.
 */
public final class ObjectStore implements AutoCloseable {
    /** Dask's default target: start spilling when memory held exceeds this fraction of the limit. */
    static final double DEFAULT_SPILL_FRACTION = 0.6;
    /** Dask's default pause: take no new tasks while memory held exceeds this fraction of the limit. */
    static final double DEFAULT_PAUSE_FRACTION = 0.8;

    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);
    /** Stands for a decoded {@code null}, because a {@code null} field means "not decoded". */
    private static final Object NULL = new Object();
    private static final Pattern UNSAFE_FILE_CHARS = Pattern.compile("[^A-Za-z0-9._-]");
    /** Keeps file names well under the usual 255-byte limit, with room for the id and suffixes. */
    private static final int MAX_PREFIX_CHARS = 100;

    private enum State { MEMORY, SPILLING, SPILLED, REMOVED }

    /** One stored result. All mutable fields are guarded by {@link #lock}. */
    private static final class Entry {
        final TaskKey key;
        final ValueCodec codec;
        /** Bytes it counts for while in memory: the estimate, or the byte length if it came as bytes. */
        final long size;
        /** The decoded value ({@link #NULL} for null), or {@code null} if not decoded or on disk. */
        Object value;
        /** The undecoded form a peer sent, until the first {@code get} decodes it. */
        byte[] bytes;
        State state = State.MEMORY;
        /** Set on the first spill; the same path for every later spill of this key. */
        Path file;
        long diskBytes;
        /** Counts completed spills, so a reader can tell "the file I missed was reloaded" from "lost". */
        long spillGeneration;
        /** The codec failed to encode it: retrying would fail the same way. */
        boolean unspillable;

        Entry(TaskKey key, ValueCodec codec, long size) {
            this.key = key;
            this.codec = codec;
            this.size = size;
        }
    }

    /** A spill chosen under the lock, with the content captured there, to be written outside it. */
    private record SpillJob(Entry entry, Object value, byte[] bytes) {
    }

    private final long memoryLimit;
    private final long spillThreshold;
    private final long pauseThreshold;
    private final Path spillDir;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<TaskKey, Entry> entries = new HashMap<>();
    /** In-memory entries that may be spilled, least recently used first. */
    private final LinkedHashMap<TaskKey, Entry> resident = new LinkedHashMap<>();
    /*
     * The figures below are written only under the lock; they are volatile so that readers (the
     * executor loop asks paused() before every task, heartbeats read the rest) need not take it.
     */
    private volatile long memoryBytes;
    /** Part of {@link #memoryBytes} already chosen for spilling, so no one chooses more than needed. */
    private long spillingBytes;
    private volatile long spilledBytes;
    private volatile long spillCount;
    private volatile long totalSpilledBytes;
    private boolean warnedSpillFailure;
    private boolean closed;
    private volatile boolean createdSpillDir;
    private final AtomicLong tempFiles = new AtomicLong();

    /** A store with Dask's default spill and pause fractions. */
    public ObjectStore(long memoryLimitBytes, Path spillDir) {
        this(memoryLimitBytes, DEFAULT_SPILL_FRACTION, DEFAULT_PAUSE_FRACTION, spillDir);
    }

    /**
     * @param memoryLimitBytes the worker's memory budget for results
     * @param spillFraction    spill least recently used results while memory held exceeds this
     *                         fraction of the limit
     * @param pauseFraction    report {@link #paused()} while memory held exceeds this fraction
     * @param spillDir         where spill files go, owned by this store alone; created on the
     *                         first spill
     */
    ObjectStore(long memoryLimitBytes, double spillFraction, double pauseFraction, Path spillDir) {
        if (memoryLimitBytes <= 0) {
            throw new IllegalArgumentException("memoryLimitBytes must be positive, got " + memoryLimitBytes);
        }
        if (!(spillFraction > 0 && spillFraction <= 1)) {
            throw new IllegalArgumentException("spillFraction must be in (0, 1], got " + spillFraction);
        }
        if (!(pauseFraction >= spillFraction && pauseFraction <= 1)) {
            throw new IllegalArgumentException(
                    "pauseFraction must be in [spillFraction, 1] = [" + spillFraction + ", 1], got " + pauseFraction);
        }
        this.memoryLimit = memoryLimitBytes;
        this.spillThreshold = (long) (memoryLimitBytes * spillFraction);
        this.pauseThreshold = (long) (memoryLimitBytes * pauseFraction);
        this.spillDir = Objects.requireNonNull(spillDir, "spillDir");
    }

    /** Stores a result computed here, replacing any earlier one under the same key. */
    void put(TaskKey key, Object value, long sizeEstimate, ValueCodec codec) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(codec, "codec");
        if (sizeEstimate < 0) {
            throw new IllegalArgumentException("sizeEstimate of " + key + " must not be negative, got " + sizeEstimate);
        }
        Entry entry = new Entry(key, codec, sizeEstimate);
        entry.value = value == null ? NULL : value;
        admit(entry);
    }

    /**
     * Stores a result fetched from a peer in its serialized form; it is decoded on the first
     * {@link #get} and counts its byte length throughout. The array is kept, not copied.
     */
    void putBytes(TaskKey key, byte[] bytes, ValueCodec codec) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(codec, "codec");
        Entry entry = new Entry(key, codec, bytes.length);
        entry.bytes = bytes;
        admit(entry);
    }

    /**
     * Like {@link #put}, but the spilling the new result calls for (encoding and writing files) is
     * left to the returned action, for a caller that holds a lock of its own and must not do I/O
     * under it. The result is readable at once either way.
     */
    public Runnable putDeferringSpill(TaskKey key, Object value, long sizeEstimate, ValueCodec codec) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(codec, "codec");
        if (sizeEstimate < 0) {
            throw new IllegalArgumentException("sizeEstimate of " + key + " must not be negative, got " + sizeEstimate);
        }
        Entry entry = new Entry(key, codec, sizeEstimate);
        entry.value = value == null ? NULL : value;
        List<SpillJob> jobs = register(entry);
        return jobs.isEmpty() ? NOTHING : () -> spill(jobs);
    }

    /** Like {@link #putBytes}, leaving the spilling to the returned action (see {@link #putDeferringSpill}). */
    public Runnable putBytesDeferringSpill(TaskKey key, byte[] bytes, ValueCodec codec) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(codec, "codec");
        Entry entry = new Entry(key, codec, bytes.length);
        entry.bytes = bytes;
        List<SpillJob> jobs = register(entry);
        return jobs.isEmpty() ? NOTHING : () -> spill(jobs);
    }

    private static final Runnable NOTHING = () -> { };

    private void admit(Entry entry) {
        spill(register(entry));
    }

    /** Adds the entry and picks what must be spilled for it; the caller runs the returned jobs. */
    private List<SpillJob> register(Entry entry) {
        List<SpillJob> jobs = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("object store is closed; cannot store " + entry.key);
            }
            Entry old = entries.put(entry.key, entry);
            if (old != null) {
                discard(old);
            }
            memoryBytes += entry.size;
            if (entry.size > spillThreshold) {
                // Keeping it would push everything else out and still break the budget.
                jobs.add(startSpill(entry));
            } else {
                resident.putLast(entry.key, entry);
            }
            chooseVictims(jobs);
        } finally {
            lock.unlock();
        }
        return jobs;
    }

    /**
     * The stored value, read back from disk if it was spilled (it is then held in memory again as
     * most recently used, unless it is bigger than the spill threshold).
     *
     * @throws NoSuchElementException if nothing is stored under {@code key}
     */
    public Object get(TaskKey key) {
        while (true) {
            Entry entry;
            byte[] encoded;
            Path file;
            long generation;
            lock.lock();
            try {
                entry = live(key);
                if (entry.value != null) {
                    touch(entry);
                    return unwrap(entry.value);
                }
                encoded = entry.bytes;
                file = entry.file;
                generation = entry.spillGeneration;
            } finally {
                lock.unlock();
            }
            if (encoded == null) {
                encoded = readSpillFile(entry, file, generation);
                if (encoded == null) {
                    continue;
                }
            }
            Object value = entry.codec.decode(encoded);
            List<SpillJob> jobs = new ArrayList<>();
            lock.lock();
            try {
                if (entries.get(key) != entry) {
                    continue;
                }
                if (entry.value != null) {
                    // Another reader decoded it first; hand out the same instance to everyone.
                    touch(entry);
                    return unwrap(entry.value);
                }
                if (entry.state == State.SPILLED) {
                    if (entry.size > spillThreshold) {
                        return value;
                    }
                    deleteQuietly(entry.file);
                    spilledBytes -= entry.diskBytes;
                    memoryBytes += entry.size;
                    entry.state = State.MEMORY;
                }
                entry.value = value == null ? NULL : value;
                entry.bytes = null;
                touch(entry);
                chooseVictims(jobs);
            } finally {
                lock.unlock();
            }
            spill(jobs);
            return value;
        }
    }

    /**
     * The serialized form, for peers and clients: straight from disk if spilled (without decoding
     * or pulling it into memory), the received bytes if not yet decoded, else freshly encoded.
     * Encoded forms are not cached, since memory accounting would not see them. The returned array
     * may be the store's own: callers must not modify it. This does not count as use for LRU.
     *
     * @throws NoSuchElementException if nothing is stored under {@code key}
     */
    public byte[] bytes(TaskKey key) {
        while (true) {
            Entry entry;
            Object value;
            Path file;
            long generation;
            lock.lock();
            try {
                entry = live(key);
                if (entry.bytes != null) {
                    return entry.bytes;
                }
                value = entry.value;
                file = entry.file;
                generation = entry.spillGeneration;
            } finally {
                lock.unlock();
            }
            if (value != null) {
                return entry.codec.encode(unwrap(value));
            }
            byte[] read = readSpillFile(entry, file, generation);
            if (read != null) {
                return read;
            }
        }
    }

    /** The codec of the value's session. @throws NoSuchElementException if absent */
    public ValueCodec codec(TaskKey key) {
        lock.lock();
        try {
            return live(key).codec;
        } finally {
            lock.unlock();
        }
    }

    boolean contains(TaskKey key) {
        lock.lock();
        try {
            return entries.containsKey(key);
        } finally {
            lock.unlock();
        }
    }

    /** Whether the value lies on disk only (a spill in progress does not count yet). */
    boolean spilled(TaskKey key) {
        lock.lock();
        try {
            Entry entry = entries.get(key);
            return entry != null && entry.state == State.SPILLED;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the value and deletes its spill file; nothing happens if it is absent. */
    public void remove(TaskKey key) {
        lock.lock();
        try {
            Entry entry = entries.remove(key);
            if (entry != null) {
                discard(entry);
            }
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of results held in memory: size estimates, or byte lengths for results received as bytes. */
    public long memoryBytes() {
        return memoryBytes;
    }

    /** Bytes of spill files currently on disk. */
    public long spilledBytes() {
        return spilledBytes;
    }

    /** Results written to disk since start (a result spilled twice counts twice). */
    public long spillCount() {
        return spillCount;
    }

    /** Bytes written to disk since start, for the usage ledger. */
    long totalSpilledBytes() {
        return totalSpilledBytes;
    }

    /**
     * Whether memory held is above the pause threshold, which spilling normally prevents; when it
     * is (spills failing, or values that cannot be encoded), the worker should take no new tasks.
     */
    public boolean paused() {
        return memoryBytes > pauseThreshold;
    }

    long memoryLimit() {
        return memoryLimit;
    }

    /**
     * Forgets every value and deletes every spill file, and the spill directory if this store
     * created it. A spill still being written when this runs deletes its own file when it ends.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Entry entry : entries.values()) {
                discard(entry);
            }
            entries.clear();
            resident.clear();
            deleteSpillDirIfCreated();
        } finally {
            lock.unlock();
        }
    }

    // ---- under the lock ----

    private Entry live(TaskKey key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            throw new NoSuchElementException("no result stored for " + key);
        }
        return entry;
    }

    private void touch(Entry entry) {
        if (entry.state == State.MEMORY && !entry.unspillable) {
            resident.putLast(entry.key, entry);
        }
    }

    /** Picks least recently used entries until memory not already being spilled fits the threshold. */
    private void chooseVictims(List<SpillJob> jobs) {
        long excess = memoryBytes - spillingBytes - spillThreshold;
        Iterator<Entry> lru = resident.values().iterator();
        while (excess > 0 && lru.hasNext()) {
            Entry victim = lru.next();
            lru.remove();
            jobs.add(startSpill(victim));
            excess -= victim.size;
        }
    }

    private SpillJob startSpill(Entry entry) {
        entry.state = State.SPILLING;
        spillingBytes += entry.size;
        if (entry.file == null) {
            entry.file = spillDir.resolve(fileName(entry.key) + ".bin");
        }
        return new SpillJob(entry, entry.value, entry.bytes);
    }

    private void discard(Entry entry) {
        switch (entry.state) {
            case MEMORY -> {
                resident.remove(entry.key, entry);
                memoryBytes -= entry.size;
            }
            case SPILLING -> {
                // The spilling thread sees REMOVED when it finishes and deletes what it wrote.
                memoryBytes -= entry.size;
                spillingBytes -= entry.size;
            }
            case SPILLED -> {
                deleteQuietly(entry.file);
                spilledBytes -= entry.diskBytes;
            }
            case REMOVED -> {
            }
        }
        entry.state = State.REMOVED;
        entry.value = null;
        entry.bytes = null;
    }

    private void deleteSpillDirIfCreated() {
        if (createdSpillDir) {
            try {
                Files.deleteIfExists(spillDir);
            } catch (IOException notEmptyYet) {
                // An in-flight spill still has its temporary file there; it retries when it ends.
            }
        }
    }

    // ---- outside the lock ----

    private void spill(List<SpillJob> jobs) {
        for (SpillJob job : jobs) {
            spill(job);
        }
    }

    private void spill(SpillJob job) {
        Entry entry = job.entry();
        byte[] data;
        try {
            data = job.bytes() != null ? job.bytes() : entry.codec.encode(unwrap(job.value()));
        } catch (RuntimeException | StackOverflowError e) {
            abandonSpill(entry, true, e);
            return;
        }
        Path temp = null;
        try {
            // A counter, not createTempFile: one file creation instead of two, and creations are
            // the slow part of a spill on many file systems.
            temp = spillDirectory().resolve(entry.file.getFileName() + "." + tempFiles.incrementAndGet() + ".tmp");
            Files.write(temp, data);
            lock.lock();
            try {
                if (entry.state != State.SPILLING) {
                    if (closed) {
                        deleteQuietly(temp);
                        temp = null;
                        deleteSpillDirIfCreated();
                    }
                    return;
                }
                // Renamed under the lock so the final name only ever holds the live entry's bytes.
                Files.move(temp, entry.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                temp = null;
                entry.state = State.SPILLED;
                entry.value = null;
                entry.bytes = null;
                entry.diskBytes = data.length;
                entry.spillGeneration++;
                memoryBytes -= entry.size;
                spillingBytes -= entry.size;
                spilledBytes += data.length;
                spillCount++;
                totalSpilledBytes += data.length;
            } finally {
                lock.unlock();
            }
        } catch (IOException | UncheckedIOException e) {
            abandonSpill(entry, false, e);
        } finally {
            if (temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    private Path spillDirectory() throws IOException {
        if (!Files.isDirectory(spillDir)) {
            Files.createDirectories(spillDir);
            createdSpillDir = true;
        }
        return spillDir;
    }

    /** Keeps the value in memory after a failed spill; warns once per store, not once per value. */
    private void abandonSpill(Entry entry, boolean cannotEncode, Throwable cause) {
        boolean warn = false;
        long held;
        lock.lock();
        try {
            if (entry.state != State.SPILLING) {
                return;
            }
            entry.state = State.MEMORY;
            spillingBytes -= entry.size;
            if (cannotEncode) {
                entry.unspillable = true;
            } else {
                // Still the least recently used: the next spill tries it first, in case the disk recovered.
                resident.putFirst(entry.key, entry);
            }
            warn = !warnedSpillFailure;
            warnedSpillFailure = true;
            held = memoryBytes;
        } finally {
            lock.unlock();
        }
        if (warn) {
            LOG.warn("Could not spill {} to {}; keeping it in memory ({} of {} bytes held). "
                            + "Further spill failures of this store are not logged.",
                    entry.key, spillDir, held, memoryLimit, cause);
        }
    }

    /**
     * The spill file's bytes, or {@code null} if the file vanished because the entry was read back,
     * re-spilled or removed meanwhile (the caller then looks again).
     */
    private byte[] readSpillFile(Entry entry, Path file, long generation) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException missing) {
            lock.lock();
            try {
                if (entries.get(entry.key) == entry && entry.state == State.SPILLED
                        && entry.spillGeneration == generation) {
                    throw new UncheckedIOException("spill file of " + entry.key + " vanished: " + file, missing);
                }
            } finally {
                lock.unlock();
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read spilled " + entry.key + " from " + file, e);
        }
    }

    // ---- either ----

    /**
     * The file name for a key: {@code prefix-id}, with a prefix that is safe in any file system. A
     * prefix that had to be changed gets a digest of the original, so two prefixes that sanitize
     * alike still get different files ({@code ~} never survives sanitizing, so no clean prefix
     * can collide with a changed one).
     */
    static String fileName(TaskKey key) {
        String prefix = key.prefix();
        String safe = UNSAFE_FILE_CHARS.matcher(prefix).replaceAll("_");
        if (!safe.equals(prefix) || safe.length() > MAX_PREFIX_CHARS) {
            String digest = UUID.nameUUIDFromBytes(prefix.getBytes(StandardCharsets.UTF_8))
                    .toString().replace("-", "").substring(0, 16);
            safe = safe.substring(0, Math.min(safe.length(), MAX_PREFIX_CHARS)) + "~" + digest;
        }
        return safe + "-" + key.id();
    }

    private static Object unwrap(Object stored) {
        return stored == NULL ? null : stored;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("Could not delete spill file {}", file, e);
        }
    }
}
