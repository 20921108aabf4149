package dev.burst.spi;

import dev.burst.Cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The backends on the class path, found with {@link ServiceLoader}: {@code burst map --cluster NAME}
 * and the gateway create clusters through here.
 */
public final class ClusterBackends {
    private ClusterBackends() {
    }

    /** Every backend registered on the class path (of this class's loader and the thread's), by name. */
    public static List<ClusterBackend> all() {
        List<ClusterBackend> found = new ArrayList<>();
        for (ClassLoader loader : new ClassLoader[] {ClusterBackends.class.getClassLoader(), Thread.currentThread().getContextClassLoader()}) {
            if (loader == null) {
                continue;
            }
            for (ClusterBackend b : ServiceLoader.load(ClusterBackend.class, loader)) {
                if (found.stream().noneMatch(f -> f.name().equals(b.name()))) {
                    found.add(b);
                }
            }
        }
        found.sort(Comparator.comparing(ClusterBackend::name));
        return found;
    }

    /** The backend named {@code name}, if one is registered. */
    public static Optional<ClusterBackend> find(String name) {
        return all().stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /**
     * The backend named {@code name}.
     *
     * @throws IllegalArgumentException naming the known backends when there is none of that name
     */
    public static ClusterBackend require(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "no cluster backend named '" + name + "'; known backends: " + describe()));
    }

    /** The known backends, one {@code name (description)} each, comma-separated. */
    public static String describe() {
        List<ClusterBackend> all = all();
        return all.isEmpty() ? "none (no burst backend on the class path)"
                : all.stream().map(b -> b.name() + " (" + b.description() + ")").collect(Collectors.joining(", "));
    }

    /**
     * Creates a cluster of backend {@code name}, after checking that every setting is one it knows.
     *
     * @throws IllegalArgumentException for an unknown backend or setting, naming what is known
     */
    public static Cluster create(String name, BackendOptions options) {
        ClusterBackend backend = require(name);
        for (String s : options.settings().keySet()) {
            if (!backend.settings().containsKey(s)) {
                throw new IllegalArgumentException("the " + name + " backend has no setting '" + s + "'"
                        + (backend.settings().isEmpty() ? " (it has none)" : "; its settings: " + String.join(", ", backend.settings().keySet())));
            }
        }
        return backend.create(options);
    }
}
