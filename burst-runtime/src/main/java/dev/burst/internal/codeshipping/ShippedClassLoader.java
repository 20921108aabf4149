package dev.burst.internal.codeshipping;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A session's in-memory classes on a worker: class files the client shipped
 * ({@link InMemoryClasses}), defined on first use, below the loader of the session's classpath.
 * Classes come before the tasks that need them and are only ever added; a class that comes again
 * with other bytes (a redefined cell keeps its name only when nothing about it changed shape)
 * replaces the old one if that was never loaded, and is otherwise refused with a warning: one
 * loader cannot hold two versions of a class.
 */
final class ShippedClassLoader extends ClassLoader {
    private static final Logger log = LoggerFactory.getLogger(ShippedClassLoader.class);

    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> classFiles = new ConcurrentHashMap<>();

    ShippedClassLoader(String session, ClassLoader parent) {
        super("burst-session-classes-" + session, parent);
    }

    void add(String name, byte[] classFile) {
        byte[] before = classFiles.put(name, classFile);
        if (before != null && !Arrays.equals(before, classFile) && findLoadedClass(name) != null) {
            classFiles.put(name, before);
            log.warn("class {} came again with other bytes after its first version was loaded here; tasks keep the first "
                    + "(give a changed class a new name, or start a new client session)", name);
        }
    }

    int size() {
        return classFiles.size();
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classFiles.get(name);
        if (b == null) {
            throw new ClassNotFoundException(name + " is on none of the session's classpath entries and the client did not"
                    + " ship it (a class defined in the client's memory whose loader does not serve its bytes?)");
        }
        return defineClass(name, b, 0, b.length);
    }
}
