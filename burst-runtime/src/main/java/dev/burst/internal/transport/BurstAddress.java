package dev.burst.internal.transport;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a scheduler (or a worker's data service) listens: {@code burst://host:port}.
 *
 * <p>{@link #host()} is bare, without the brackets an IPv6 literal needs in an address
 * ({@code ::1}, not {@code [::1]}); {@link #hostPort()} and {@link #toString()} add them back.
 */
public record BurstAddress(String host, int port) {
    static final String SCHEME = "burst://";
    private static final String EXPECTED =
            "expected burst://host:port, for example burst://localhost:8786 or burst://[::1]:8786";
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    public BurstAddress {
        if (host == null || !(HOST_NAME.matcher(host).matches() || (host.contains(":") && IPV6.matcher(host).matches()))) {
            throw new IllegalArgumentException("Bad host '" + host + "' in a Burst address; " + EXPECTED);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Bad port " + port + " in a Burst address (1 to 65535); " + EXPECTED);
        }
    }

    /** Parses {@code burst://host:port}, {@code host:port} or {@code [ipv6]:port}. */
    public static BurstAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("No Burst address (null); " + EXPECTED);
        }
        String rest = text.strip();
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            if (!rest.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
                throw bad(text, "the scheme must be burst://");
            }
            rest = rest.substring(SCHEME.length());
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.isEmpty()) {
            throw bad(text, "no host");
        }
        String host;
        String port;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw bad(text, "'[' without ']'");
            }
            host = rest.substring(1, close);
            if (!host.contains(":")) {
                throw bad(text, "brackets are only for IPv6 addresses");
            }
            if (close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw bad(text, "no port");
            }
            port = rest.substring(close + 2);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw bad(text, "no port");
            }
            host = rest.substring(0, colon);
            port = rest.substring(colon + 1);
            if (host.contains(":")) {
                throw bad(text, "an IPv6 address needs brackets, as in burst://[::1]:8786");
            }
        }
        if (host.isEmpty()) {
            throw bad(text, "no host");
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(text, port.isEmpty() ? "no port" : "the port '" + port + "' is not a number");
        }
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65535) {
            throw bad(text, "the port " + number + " is not in 1..65535");
        }
        if (!HOST_NAME.matcher(host).matches() && !(host.contains(":") && IPV6.matcher(host).matches())) {
            throw bad(text, "the host '" + host + "' is not a host name or IP address");
        }
        return new BurstAddress(host, number);
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("Bad Burst address '" + text + "': " + why + "; " + EXPECTED);
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** A file-name-safe form, {@code host-port} ({@code ::1} becomes {@code __1}). */
    String fileName() {
        return host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_") + "-" + port;
    }

    @Override
    public String toString() {
        return SCHEME + hostPort();
    }
}
