package dev.burst.internal.transport;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The names a client sends in TLS SNI to reach a cluster through a gateway's one port: the
 * cluster's route ({@code c-3f9a2b7c.cluster.burst}) for its scheduler, and
 * {@code w-<host>-<port>.<route>} for one of its workers' data services ({@link WorkerRoute}).
 *
 * <p>Design note: the gateway's proxy passes TLS through untouched (each cluster keeps its own
 * pinned certificate), so the server name is all it routes on. A route must be a name TLS clients
 * actually send: both the JDK and Netty's OpenSSL engine leave SNI out for a name without a dot,
 * for an IP address, or for anything that is not letters, digits and hyphens in labels of 1 to 63
 * characters. So a route is checked here for exactly that, lower case (the proxy lower-cases what
 * it reads), at least two labels, and short enough that a worker label still fits in front of it
 * within SNI's 255 bytes. A route's first label may not start with {@code w-}: that marks a worker.
 */
public final class GatewayRoutes {
    /** The longest route: a 63-character worker label, a dot and the route stay within DNS's 253. */
    public static final int MAX_ROUTE_LENGTH = 180;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private GatewayRoutes() {
    }

    /**
     * Returns {@code route} if it is a valid cluster route (see the class note).
     *
     * @throws IllegalArgumentException naming the route and what is wrong with it
     */
    public static String checkRoute(String route) {
        String why = problem(route);
        if (why != null) {
            throw new IllegalArgumentException("Bad gateway route '" + route + "': " + why
                    + " (want lower-case DNS labels joined by dots, like c-3f9a2b7c.cluster.burst)");
        }
        return route;
    }

    /** Whether {@code route} is a valid cluster route. */
    public static boolean isRoute(String route) {
        return problem(route) == null;
    }

    private static String problem(String route) {
        if (route == null || route.isEmpty()) {
            return "it is empty";
        }
        if (route.length() > MAX_ROUTE_LENGTH) {
            return "it is longer than " + MAX_ROUTE_LENGTH + " characters";
        }
        String[] labels = route.split("\\.", -1);
        if (labels.length < 2) {
            return "it has no dot, and TLS clients send no server name (SNI) for a name without one";
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return "'" + label + "' is not a DNS label (1 to 63 of a-z, 0-9 and '-', not starting or ending with '-')";
            }
        }
        if (labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "its last label is all digits, which reads as an IP address";
        }
        if (WorkerRoute.isWorkerLabel(labels[0])) {
            return "its first label starts with '" + WorkerRoute.PREFIX + "', which marks a worker";
        }
        return null;
    }

    /** The server name that reaches {@code worker} of the cluster at {@code route}: {@code w-<host>-<port>.<route>}. */
    public static String workerServerName(BurstAddress worker, String route) {
        return WorkerRoute.of(worker).label() + "." + checkRoute(route);
    }

    /**
     * What a server name asks for; lower-cased first.
     *
     * @return {@link Target.Cluster} for a route, {@link Target.Worker} for a worker of a route,
     *         {@link Target.Invalid} with the reason otherwise
     */
    public static Target parse(String serverName) {
        if (serverName == null || serverName.isEmpty()) {
            return new Target.Invalid("no server name");
        }
        String name = serverName.toLowerCase(Locale.ROOT);
        int dot = name.indexOf('.');
        String first = dot < 0 ? name : name.substring(0, dot);
        if (!WorkerRoute.isWorkerLabel(first)) {
            String why = problem(name);
            return why == null ? new Target.Cluster(name) : new Target.Invalid("'" + name + "' is not a route: " + why);
        }
        if (dot < 0) {
            return new Target.Invalid("'" + name + "' names a worker but no cluster route after it");
        }
        String route = name.substring(dot + 1);
        String why = problem(route);
        if (why != null) {
            return new Target.Invalid("'" + route + "' after the worker label is not a route: " + why);
        }
        try {
            return new Target.Worker(WorkerRoute.decode(first), route);
        } catch (IllegalArgumentException e) {
            return new Target.Invalid(e.getMessage());
        }
    }

    /** What a server name asks for. */
    public sealed interface Target {
        /** The scheduler of the cluster at {@code route}. */
        record Cluster(String route) implements Target {
        }

        /** The data service of {@code worker}, which must belong to the cluster at {@code route}: the caller checks. */
        record Worker(WorkerRoute worker, String route) implements Target {
        }

        /** Neither; {@code why} says what is wrong. */
        record Invalid(String why) implements Target {
        }
    }
}
