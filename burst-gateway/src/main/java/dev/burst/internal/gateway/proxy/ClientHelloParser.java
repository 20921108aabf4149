package dev.burst.internal.gateway.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the server name (SNI) out of the first bytes a TLS client sends: pure, bytes in, a
 * {@link Parsed} out, no I/O and no exceptions for any input.
 *
 * <p>Design note: the proxy calls {@link #parse} again each time more bytes arrive, with
 * everything received so far, until the answer is not {@link NeedMoreBytes}; a ClientHello is a
 * few hundred bytes, so parsing from the start each time is cheaper than keeping state. The
 * ClientHello is one handshake message, which TLS may cut into several records (RFC 8446 §5.1,
 * RFC 5246 §6.2.1), and the records may arrive cut across TCP reads: the record layer is read
 * first, the handshake fragments joined, and the message parsed once whole. Every length is
 * checked against what encloses it (record, message, extension block, extension, name list), so
 * malformed input is {@link NotTls} with the reason rather than an index error. Only the first
 * handshake message is needed and read; anything after it is left for the backend.
 */
public final class ClientHelloParser {
    static final int CONTENT_HANDSHAKE = 0x16;
    static final int HANDSHAKE_CLIENT_HELLO = 1;
    static final int EXTENSION_SERVER_NAME = 0;
    static final int NAME_TYPE_HOST_NAME = 0;
    /** The largest plaintext record TLS allows (2^14). */
    static final int MAX_RECORD_LENGTH = 1 << 14;
    static final int RECORD_HEADER = 5;
    private static final int HANDSHAKE_HEADER = 4;
    private static final int MAX_HOST_NAME = 255;
    private static final String[] HTTP_METHODS =
            {"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "};

    private ClientHelloParser() {
    }

    /** What the first bytes of a connection say. */
    public sealed interface Parsed {
    }

    /** The bytes so far are a valid beginning; read more. */
    public record NeedMoreBytes() implements Parsed {
    }

    /** A complete ClientHello naming {@code name} (lower-cased) in its server_name extension. */
    public record ServerName(String name) implements Parsed {
    }

    /** A complete ClientHello without a host name. */
    public record NoServerName() implements Parsed {
    }

    /** Not a TLS ClientHello; {@code why} says what is wrong. */
    public record NotTls(String why) implements Parsed {
    }

    private static final NeedMoreBytes MORE = new NeedMoreBytes();

    /** Parses the first {@code length} bytes of {@code bytes}. */
    public static Parsed parse(byte[] bytes, int length) {
        if (bytes == null || length < 0 || length > bytes.length) {
            return new NotTls("no bytes");
        }
        if (length == 0) {
            return MORE;
        }
        if ((bytes[0] & 0xff) != CONTENT_HANDSHAKE) {
            return new NotTls(String.format("the first byte is 0x%02x, not 0x16 (a TLS handshake record)", bytes[0] & 0xff));
        }
        // Join the handshake fragments of consecutive records until the ClientHello is whole.
        byte[] message = null;
        int have = 0;
        int messageLength = -1;
        int at = 0;
        while (true) {
            if (length - at < RECORD_HEADER) {
                if (length > at && (bytes[at] & 0xff) != CONTENT_HANDSHAKE) {
                    return new NotTls(String.format("a record of type 0x%02x inside the ClientHello", bytes[at] & 0xff));
                }
                if (length - at >= 2 && (bytes[at + 1] & 0xff) != 3) {
                    return new NotTls("the record version is not TLS (3.x)");
                }
                return MORE;
            }
            int type = bytes[at] & 0xff;
            int major = bytes[at + 1] & 0xff;
            int recordLength = u16(bytes, at + 3);
            if (type != CONTENT_HANDSHAKE) {
                return new NotTls(String.format("a record of type 0x%02x inside the ClientHello", type));
            }
            if (major != 3) {
                return new NotTls("the record version is not TLS (3.x)");
            }
            if (recordLength == 0) {
                return new NotTls("an empty handshake record");
            }
            if (recordLength > MAX_RECORD_LENGTH) {
                return new NotTls("a record of " + recordLength + " bytes, over TLS's " + MAX_RECORD_LENGTH);
            }
            int fragment = at + RECORD_HEADER;
            int available = Math.min(recordLength, length - fragment);
            if (messageLength < 0) {
                // the message header may itself be split across records: gather it first
                if (message == null) {
                    message = new byte[HANDSHAKE_HEADER];
                }
                int take = Math.min(available, HANDSHAKE_HEADER - have);
                System.arraycopy(bytes, fragment, message, have, take);
                have += take;
                if (have == HANDSHAKE_HEADER) {
                    if ((message[0] & 0xff) != HANDSHAKE_CLIENT_HELLO) {
                        return new NotTls("the first handshake message is of type " + (message[0] & 0xff)
                                + ", not a ClientHello (1)");
                    }
                    messageLength = u24(message, 1);
                    if (messageLength == 0) {
                        return new NotTls("an empty ClientHello");
                    }
                    if (HANDSHAKE_HEADER + messageLength - have > length - fragment - take) {
                        return MORE; // not all here yet: allocate nothing on a length we were only told
                    }
                    byte[] whole = new byte[HANDSHAKE_HEADER + messageLength];
                    System.arraycopy(message, 0, whole, 0, HANDSHAKE_HEADER);
                    message = whole;
                    int more = Math.min(available - take, messageLength);
                    System.arraycopy(bytes, fragment + take, message, have, more);
                    have += more;
                }
            } else {
                int take = Math.min(available, message.length - have);
                System.arraycopy(bytes, fragment, message, have, take);
                have += take;
            }
            if (messageLength >= 0 && have == message.length) {
                return clientHello(message, HANDSHAKE_HEADER, message.length);
            }
            if (available < recordLength) {
                return MORE; // the rest of this record is still on its way
            }
            at = fragment + recordLength;
        }
    }

    /**
     * Whether bytes that are not TLS look like a plain HTTP request ({@code GET / HTTP/1.1}): a
     * method in upper case and a space, so the proxy may answer in HTTP instead of hanging up.
     */
    public static boolean looksLikeHttp(byte[] bytes, int length) {
        for (String method : HTTP_METHODS) {
            if (length >= method.length()
                    && method.equals(new String(bytes, 0, method.length(), StandardCharsets.ISO_8859_1))) {
                return true;
            }
        }
        return false;
    }

    /** The ClientHello body in {@code m[from, to)} (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2). */
    private static Parsed clientHello(byte[] m, int from, int to) {
        int at = from + 2 + 32; // legacy_version, random
        if (at + 1 > to) {
            return new NotTls("a ClientHello too short for its version and random");
        }
        int sessionId = m[at] & 0xff;
        if (sessionId > 32) {
            return new NotTls("a session id of " + sessionId + " bytes (at most 32)");
        }
        at += 1 + sessionId;
        if (at + 2 > to) {
            return new NotTls("a ClientHello cut before its cipher suites");
        }
        int suites = u16(m, at);
        if (suites < 2 || suites % 2 != 0) {
            return new NotTls("a cipher suite list of " + suites + " bytes (want a positive even number)");
        }
        at += 2 + suites;
        if (at + 1 > to) {
            return new NotTls("a ClientHello cut before its compression methods");
        }
        int compressions = m[at] & 0xff;
        if (compressions < 1) {
            return new NotTls("no compression methods");
        }
        at += 1 + compressions;
        if (at > to) {
            return new NotTls("a compression method list longer than the ClientHello");
        }
        if (at == to) {
            return new NoServerName(); // no extensions at all (an old client)
        }
        if (at + 2 > to) {
            return new NotTls("a ClientHello cut inside its extensions' length");
        }
        int extensionsEnd = at + 2 + u16(m, at);
        if (extensionsEnd != to) {
            return new NotTls("extensions of " + u16(m, at) + " bytes where " + (to - at - 2) + " remain");
        }
        at += 2;
        Parsed found = new NoServerName();
        boolean seen = false;
        while (at < extensionsEnd) {
            if (at + 4 > extensionsEnd) {
                return new NotTls("an extension header cut short");
            }
            int type = u16(m, at);
            int size = u16(m, at + 2);
            int body = at + 4;
            if (body + size > extensionsEnd) {
                return new NotTls("extension " + type + " of " + size + " bytes runs past the extensions");
            }
            if (type == EXTENSION_SERVER_NAME) {
                if (seen) {
                    return new NotTls("two server_name extensions");
                }
                seen = true;
                found = serverName(m, body, body + size);
                if (found instanceof NotTls) {
                    return found;
                }
            }
            at = body + size;
        }
        return found;
    }

    /** The server_name extension's data in {@code m[from, to)} (RFC 6066 §3). */
    private static Parsed serverName(byte[] m, int from, int to) {
        if (from + 2 > to) {
            return new NotTls("a server_name extension without its list length");
        }
        int listEnd = from + 2 + u16(m, from);
        if (listEnd != to) {
            return new NotTls("a server name list of " + u16(m, from) + " bytes in an extension of " + (to - from - 2));
        }
        int at = from + 2;
        String host = null;
        while (at < listEnd) {
            if (at + 3 > listEnd) {
                return new NotTls("a server name entry cut short");
            }
            int type = m[at] & 0xff;
            int size = u16(m, at + 1);
            int name = at + 3;
            if (name + size > listEnd) {
                return new NotTls("a server name of " + size + " bytes runs past its list");
            }
            if (type == NAME_TYPE_HOST_NAME && host == null) {
                if (size == 0 || size > MAX_HOST_NAME) {
                    return new NotTls("a host name of " + size + " bytes (1 to " + MAX_HOST_NAME + ")");
                }
                for (int i = name; i < name + size; i++) {
                    int c = m[i] & 0xff;
                    boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                            || c == '-' || c == '.' || c == '_';
                    if (!ok) {
                        return new NotTls(String.format("a host name with the byte 0x%02x (not a DNS name)", c));
                    }
                }
                host = new String(m, name, size, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
            }
            at = name + size;
        }
        return host == null ? new NoServerName() : new ServerName(host);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static int u24(byte[] b, int at) {
        return ((b[at] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff);
    }
}
