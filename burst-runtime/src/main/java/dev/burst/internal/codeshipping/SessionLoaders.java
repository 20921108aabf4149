package dev.burst.internal.codeshipping;

import dev.burst.internal.protocol.wire.ClasspathEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * A worker's class loaders, one per client session, built from the classpath the client offered.
 *
 * <p>Design: entries the worker has on its own classpath (same hash) are left out, so Burst, the
 * JDK and any library the worker shares with the client are the worker's own classes; every other
 * entry is a jar in the cache directory, {@code <sha256>.jar}, fetched from the scheduler the
 * first time any session needs it (once, however many sessions open at the same time) and kept
 * for later sessions. A session's loader delegates to the loader of Burst first, so a class the
 * worker has is never loaded twice under one name (parent-first, like the JVM's own loaders).
 * A session that adds nothing runs in that parent loader itself. Thread-safe.
 */
public final class SessionLoaders implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionLoaders.class);

    private final ClasspathOffer own;
    private final BlobFetcher fetcher;
    private final BlobStore cache;
    private final ClassLoader parent = SessionLoaders.class.getClassLoader();
    private final Map<String, ClassLoader> loaders = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Path>> fetching = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param cacheDir where fetched jars are kept, shared by all sessions (created if needed)
     * @param own      this worker's own classpath: its entries are never fetched
     * @param fetcher  gets a jar the worker lacks
     */
    public SessionLoaders(Path cacheDir, ClasspathOffer own, BlobFetcher fetcher) {
        this.own = own;
        this.fetcher = fetcher;
        this.cache = new BlobStore(cacheDir, ClasspathOffer.none());
    }

    /**
     * The class loader of {@code session}, built from its classpath; fetches the jars this worker
     * lacks. A session already open keeps its loader.
     *
     * @throws IOException              when a jar cannot be fetched or is corrupt
     * @throws IllegalArgumentException when an entry's hash is not a SHA-256 in hex
     * @throws IllegalStateException    after {@link #close()}
     */
    public ClassLoader open(String session, List<ClasspathEntry> classpath) throws IOException {
        ensureOpen();
        ClassLoader existing = loaders.get(session);
        if (existing != null) {
            return existing;
        }
        List<URL> urls = new ArrayList<>();
        for (ClasspathEntry entry : classpath) {
            String sha256 = Sha256.require(entry.getSha256());
            if (own.file(sha256) == null) {
                urls.add(jar(sha256, entry.getName()).toUri().toURL());
            }
        }
        ClassLoader jars = urls.isEmpty() ? parent
                : new URLClassLoader("burst-session-" + session, urls.toArray(URL[]::new), parent);
        // Below the jars, the classes the client defined in memory, as they come (addClasses).
        ClassLoader loader = new ShippedClassLoader(session, jars);
        ClassLoader raced = loaders.putIfAbsent(session, loader);
        if (raced != null) {
            closeLoader(session, loader);
            return raced;
        }
        if (closed) { // close() ran meanwhile and may have missed this loader
            close(session);
            throw new IllegalStateException("the session loaders are closed");
        }
        log.debug("session {} loads from {} jars of its own", session, urls.size());
        return loader;
    }

    /**
     * Adds the in-memory classes the client shipped to {@code session}'s loader; they are defined
     * when first needed. A session that is not open (its classpath failed to load) takes none.
     */
    public void addClasses(String session, List<dev.burst.internal.protocol.wire.ShippedClass> classes) {
        if (loaders.get(session) instanceof ShippedClassLoader l) {
            for (var c : classes) {
                l.add(c.getName(), c.getBytecode().toByteArray());
            }
            log.debug("session {}: {} in-memory classes shipped so far", session, l.size());
        }
    }

    /** The class loader of {@code session}, or null when it is not open. */
    ClassLoader loader(String session) {
        return loaders.get(session);
    }

    /** Closes the loader of {@code session}; its cached jars stay for later sessions. */
    public void close(String session) {
        ClassLoader loader = loaders.remove(session);
        if (loader != null) {
            closeLoader(session, loader);
        }
    }

    /** Closes every session's loader. */
    @Override
    public void close() {
        closed = true;
        for (String session : List.copyOf(loaders.keySet())) {
            close(session);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the session loaders are closed");
        }
    }

    /** The cached jar of a blob, fetched first when missing; concurrent callers share one fetch. */
    private Path jar(String sha256, String name) throws IOException {
        Path cached = cache.path(sha256);
        if (cached != null) {
            return cached;
        }
        CompletableFuture<Path> mine = new CompletableFuture<>();
        CompletableFuture<Path> running = fetching.putIfAbsent(sha256, mine);
        if (running == null) {
            try {
                cached = cache.path(sha256); // a fetch may have finished between the check and putIfAbsent
                mine.complete(cached != null ? cached : fetch(sha256, name));
            } catch (IOException | RuntimeException e) {
                mine.completeExceptionally(e);
            } finally {
                fetching.remove(sha256, mine);
            }
            running = mine;
        }
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching blob " + sha256 + " (" + name + ")");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        }
    }

    private Path fetch(String sha256, String name) throws IOException {
        long start = System.nanoTime();
        Path temp = cache.temporaryFile(sha256);
        try {
            fetcher.fetch(sha256, temp);
            Path jar = cache.adopt(sha256, temp);
            log.info("fetched {} ({}, {} bytes) in {} ms", name, sha256, Files.size(jar),
                    (System.nanoTime() - start) / 1_000_000);
            return jar;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void closeLoader(String session, ClassLoader loader) {
        if (loader instanceof ShippedClassLoader shipped) {
            loader = shipped.getParent();
        }
        if (loader instanceof URLClassLoader closeable && loader != parent) {
            try {
                closeable.close();
            } catch (IOException e) {
                log.warn("cannot close the class loader of session {}: {}", session, e.toString());
            }
        }
    }
}
