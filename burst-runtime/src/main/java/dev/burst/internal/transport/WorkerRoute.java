package dev.burst.internal.transport;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A worker's data service as one DNS label, so a client behind a gateway can name it in TLS SNI:
 * {@code w-<host>-<port>}, the first label of {@code w-<host>-<port>.<cluster route>}.
 *
 * <p>Design note: SNI carries only host names (letters, digits, hyphens; labels of at most 63
 * characters, case-insensitive), and the gateway's proxy routes on it, so a worker's address must
 * go into one label and come back out exactly. The host is encoded by its kind:
 * <ul>
 *   <li>IPv4: the four numbers joined by {@code -}: {@code 127.0.0.1:41234} is
 *       {@code w-127-0-0-1-41234};</li>
 *   <li>IPv6: {@code v6-} and the eight groups in lower-case hex without leading zeros, joined by
 *       {@code -}: {@code [::1]:41234} is {@code w-v6-0-0-0-0-0-0-0-1-41234}; an address with a zone
 *       ({@code fe80::1%eth0}) has no meaning off its host and is refused;</li>
 *   <li>a host name: {@code h-} and the lower-cased name with {@code .} written {@code -d},
 *       {@code -} written {@code -h} and {@code _} written {@code -u}:
 *       {@code node-7.example.org:41234} is {@code w-h-node-h7-dexample-dorg-41234}.</li>
 * </ul>
 * Every {@code -} inside a host name's encoding starts a two-character escape, so the code is
 * prefix-free and the port is always what follows the label's last {@code -}. Each worker has
 * exactly one label: {@link #decode} refuses any label that {@link #label()} would not write
 * (leading zeros, upper case), and the record holds the host in that canonical form (IPv6 as
 * {@code 0:0:0:0:0:0:0:1}, names lower-cased). So compare {@code WorkerRoute}s, not host strings:
 * {@code WorkerRoute.of(knownWorker).equals(WorkerRoute.decode(label))}. A host name whose label
 * would exceed 63 characters is refused with a message saying so; workers meant to be reached
 * through a gateway should then advertise an IP address.
 */
public record WorkerRoute(String host, int port) {
    /** The first characters of every worker label. */
    public static final String PREFIX = "w-";
    /** DNS's limit on one label. */
    public static final int MAX_LABEL_LENGTH = 63;
    private static final String IPV6_MARK = "v6-";
    private static final String NAME_MARK = "h-";
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?");
    private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");

    /** Holds {@code host} in canonical form; refuses what cannot be encoded (see the class note). */
    public WorkerRoute {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Bad worker port " + port + " (1 to 65535)");
        }
        host = canonicalHost(host);
        int length = PREFIX.length() + encodeHost(host).length() + 1 + Integer.toString(port).length();
        if (length > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("The worker address " + host + ":" + port + " encodes to "
                    + length + " characters, more than one DNS label holds (" + MAX_LABEL_LENGTH
                    + "), so it cannot be reached through a gateway; start the worker with a shorter host name"
                    + " or an IP address");
        }
    }

    /** The route to the worker at {@code worker}. */
    public static WorkerRoute of(BurstAddress worker) {
        return new WorkerRoute(worker.host(), worker.port());
    }

    /** Whether {@code label} (one DNS label) is meant as a worker's: it starts with {@code w-}. */
    public static boolean isWorkerLabel(String label) {
        return label != null && label.startsWith(PREFIX);
    }

    /** {@code w-<host>-<port>}: this worker as one DNS label. */
    public String label() {
        return PREFIX + encodeHost(host) + "-" + port;
    }

    /** The worker's address, to connect to. */
    public BurstAddress address() {
        return new BurstAddress(host, port);
    }

    /**
     * The worker a label names, the inverse of {@link #label()}.
     *
     * @throws IllegalArgumentException with the reason, if {@code label} is not a worker label in
     *                                  canonical form
     */
    public static WorkerRoute decode(String label) {
        if (label == null || !label.startsWith(PREFIX)) {
            throw bad(label, "it does not start with '" + PREFIX + "'");
        }
        if (label.length() > MAX_LABEL_LENGTH) {
            throw bad(label, "it is longer than a DNS label (" + MAX_LABEL_LENGTH + " characters)");
        }
        int dash = label.lastIndexOf('-');
        String port = label.substring(dash + 1);
        String hostPart = label.substring(PREFIX.length(), Math.max(PREFIX.length(), dash));
        if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
            throw bad(label, "'" + port + "' after the last '-' is not a port (1 to 65535, no leading zeros)");
        }
        if (hostPart.isEmpty()) {
            throw bad(label, "no host before the port");
        }
        String host;
        if (hostPart.startsWith(IPV6_MARK)) {
            host = decodeIpv6(label, hostPart.substring(IPV6_MARK.length()));
        } else if (hostPart.startsWith(NAME_MARK)) {
            host = decodeName(label, hostPart.substring(NAME_MARK.length()));
        } else {
            host = hostPart.replace('-', '.');
            if (!IPV4.matcher(host).matches()) {
                throw bad(label, "'" + hostPart + "' is neither an IPv4 address (four numbers joined by '-'),"
                        + " nor '" + IPV6_MARK + "…' (IPv6) nor '" + NAME_MARK + "…' (a host name)");
            }
        }
        WorkerRoute route;
        try {
            route = new WorkerRoute(host, Integer.parseInt(port));
        } catch (IllegalArgumentException e) {
            throw bad(label, e.getMessage());
        }
        if (!route.label().equals(label)) {
            throw bad(label, "it is not in canonical form (that worker's label is " + route.label() + ")");
        }
        return route;
    }

    private static IllegalArgumentException bad(String label, String why) {
        return new IllegalArgumentException("Bad worker label '" + label + "': " + why);
    }

    // ---- the host --------------------------------------------------------------------------

    private static String canonicalHost(String host) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("No worker host ('" + host + "')");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.contains(":")) {
            return canonicalIpv6(host);
        }
        String lower = host.toLowerCase(Locale.ROOT);
        if (IPV4.matcher(lower).matches()) {
            for (String part : lower.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("Bad IPv4 address '" + host + "' for a worker");
                }
            }
            return lower;
        }
        if (!HOST_NAME.matcher(lower).matches()) {
            throw new IllegalArgumentException("Bad worker host '" + host + "': not a host name or IP address");
        }
        if (lower.matches("[0-9.]+")) {
            throw new IllegalArgumentException("Ambiguous worker host '" + host
                    + "': only digits and dots, but not an IPv4 address in canonical form");
        }
        return lower;
    }

    private static String canonicalIpv6(String host) {
        if (host.contains("%")) {
            throw new IllegalArgumentException("The worker address " + host + " has an IPv6 zone, which means"
                    + " nothing off its own host; it cannot be reached through a gateway");
        }
        if (!host.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("Bad IPv6 address '" + host + "' for a worker");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host); // a literal with ':' is parsed, never looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Bad IPv6 address '" + host + "' for a worker", e);
        }
        if (address instanceof Inet4Address v4) {
            return v4.getHostAddress(); // an IPv4-mapped address is that IPv4 host
        }
        byte[] bytes = ((Inet6Address) address).getAddress();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) {
                text.append(':');
            }
            text.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
        }
        return text.toString();
    }

    private static String encodeHost(String host) {
        if (host.contains(":")) {
            return IPV6_MARK + host.replace(':', '-');
        }
        if (IPV4.matcher(host).matches()) {
            return host.replace('.', '-');
        }
        StringBuilder out = new StringBuilder(NAME_MARK);
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            switch (c) {
                case '.' -> out.append("-d");
                case '-' -> out.append("-h");
                case '_' -> out.append("-u");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String decodeIpv6(String label, String groups) {
        String[] parts = groups.split("-", -1);
        if (parts.length != 8) {
            throw bad(label, "an IPv6 address needs eight groups after '" + IPV6_MARK + "', not " + parts.length);
        }
        for (String part : parts) {
            if (!part.matches("[0-9a-f]{1,4}")) {
                throw bad(label, "'" + part + "' is not an IPv6 group (1 to 4 lower-case hex digits)");
            }
        }
        return String.join(":", parts);
    }

    private static String decodeName(String label, String encoded) {
        StringBuilder host = new StringBuilder();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '-') {
                char code = i + 1 < encoded.length() ? encoded.charAt(++i) : '?';
                switch (code) {
                    case 'd' -> host.append('.');
                    case 'h' -> host.append('-');
                    case 'u' -> host.append('_');
                    default -> throw bad(label, "'-" + code + "' in a host name is not an escape (-d for '.',"
                            + " -h for '-', -u for '_')");
                }
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                host.append(c);
            } else {
                throw bad(label, "'" + c + "' is not a lower-case letter, digit or escape");
            }
        }
        if (host.isEmpty()) {
            throw bad(label, "no host name after '" + NAME_MARK + "'");
        }
        return host.toString();
    }
}
