package dev.burst.internal.codeshipping;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The classes a client defined in memory that its tasks need: JShell and notebook cells, a
 * {@code java Main.java} program, classes generated at run time. No classpath entry holds them,
 * so the jars a session offers ({@link ClasspathOffer}) cannot carry them; they travel as class
 * files ({@code SessionClasses}), each one once per session, and workers define them in the
 * session's loader ({@link SessionLoaders}).
 *
 * <p>Design note. From the classes of a submission's functions and arguments (a lambda's own
 * class is hidden: its nest host, the class that wrote it, stands in), this follows the classes
 * each class file names ({@link ClassReferences}) through every class whose bytes its loader
 * serves from somewhere other than a file, a jar or the JDK: those are on no classpath. Classes
 * on the classpath end the walk there, since the worker has them. As Spark's REPL class server
 * does for Scala lines, but eagerly: a task's classes arrive before the task, so a worker never
 * waits on the client. A class that is on no classpath and whose loader does not serve its bytes
 * cannot be shipped; it is named in {@link Collected#unshippable}, for the error a worker gives.
 */
public final class InMemoryClasses {
    /** Where classes on a classpath or in the JDK come from; anything else is memory. */
    private static final Set<String> CLASSPATH_PROTOCOLS = Set.of("file", "jar", "jrt");

    /** What a walk found: class files by binary name, and classes that could not be read. */
    public record Collected(Map<String, byte[]> classes, Set<String> unshippable) {
    }

    private InMemoryClasses() {
    }

    /** The in-memory classes reachable from {@code roots}, with their class files. */
    public static Collected reachableFrom(Collection<Class<?>> roots) {
        Map<String, byte[]> found = new LinkedHashMap<>();
        Set<String> unshippable = new HashSet<>();
        Set<Class<?>> seen = new HashSet<>();
        ArrayDeque<Class<?>> todo = new ArrayDeque<>();
        for (Class<?> r : roots) {
            enqueue(r, seen, todo);
        }
        Map<ClassLoader, Boolean> jdkLoaders = new HashMap<>();
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            ClassLoader loader = c.getClassLoader();
            if (loader == null || jdkLoaders.computeIfAbsent(loader, InMemoryClasses::isJdkLoader)) {
                continue; // the JDK's own
            }
            String resource = c.getName().replace('.', '/') + ".class";
            URL url = loader.getResource(resource);
            if (url != null && CLASSPATH_PROTOCOLS.contains(url.getProtocol())) {
                continue; // on a classpath the session offers, or the worker's own
            }
            byte[] bytes = url == null ? null : read(loader, resource);
            if (bytes == null) {
                unshippable.add(c.getName());
                continue;
            }
            found.put(c.getName(), bytes);
            for (String name : ClassReferences.of(bytes)) {
                if (name.equals(c.getName()) || name.startsWith("java.")) {
                    continue;
                }
                try {
                    enqueue(Class.forName(name, false, loader), seen, todo);
                } catch (ClassNotFoundException | LinkageError notAClass) {
                    // a descriptor-like string that names nothing, or a class the client cannot load either
                }
            }
        }
        return new Collected(found, unshippable);
    }

    /** The SHA-256 of a class file, in hex: what tells a class's versions apart. */
    public static String fingerprint(byte[] classFile) {
        java.security.MessageDigest d = Sha256.digest();
        d.update(classFile);
        return Sha256.hex(d);
    }

    private static void enqueue(Class<?> c, Set<Class<?>> seen, ArrayDeque<Class<?>> todo) {
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (c.isPrimitive()) {
            return;
        }
        if (c.isHidden()) {
            c = c.getNestHost(); // a lambda's hidden class: the class that wrote it holds its code
            if (c.isHidden()) {
                return;
            }
        }
        if (seen.add(c)) {
            todo.add(c);
        }
    }

    private static boolean isJdkLoader(ClassLoader loader) {
        for (ClassLoader l = ClassLoader.getPlatformClassLoader(); l != null; l = l.getParent()) {
            if (l == loader) {
                return true;
            }
        }
        return false;
    }

    private static byte[] read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }
}
