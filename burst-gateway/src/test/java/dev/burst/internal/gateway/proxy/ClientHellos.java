package dev.burst.internal.gateway.proxy;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;

/** ClientHellos for tests: real ones from the JDK's TLS engine, and hand-made ones to break. */
final class ClientHellos {
    private ClientHellos() {
    }

    /** The first flight of a JDK TLS client, with {@code serverName} as SNI (null: none). */
    static byte[] fromJdk(String serverName) {
        return fromJdk(serverName, null);
    }

    /**
     * The first flight of a JDK TLS client engine made for {@code peerHost} (null: none), as Netty
     * makes one for a channel's authority, with {@code serverName} set as SNI explicitly (null: not set).
     */
    static byte[] fromJdk(String serverName, String peerHost) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            SSLEngine engine = peerHost == null ? context.createSSLEngine() : context.createSSLEngine(peerHost, 443);
            engine.setUseClientMode(true);
            if (serverName != null) {
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(serverName)));
                engine.setSSLParameters(parameters);
            }
            engine.beginHandshake();
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same handshake bytes re-cut into records carrying at most {@code size} bytes each. */
    static byte[] inRecordsOf(byte[] singleRecord, int size) {
        byte[] message = Arrays.copyOfRange(singleRecord, 5, singleRecord.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < message.length; at += size) {
            int n = Math.min(size, message.length - at);
            out.write(0x16);
            out.write(3);
            out.write(1);
            out.write(n >> 8);
            out.write(n);
            out.write(message, at, n);
        }
        return out.toByteArray();
    }

    /** A ClientHello record from its parts; {@code extensions} null for none at all. */
    static byte[] handMade(int sessionIdLength, int cipherSuiteBytes, int compressionMethods, byte[] extensions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(3);
        body.write(3);
        body.writeBytes(new byte[32]);
        body.write(sessionIdLength);
        body.writeBytes(new byte[Math.min(sessionIdLength, 255)]);
        u16(body, cipherSuiteBytes);
        body.writeBytes(new byte[cipherSuiteBytes]);
        body.write(compressionMethods);
        body.writeBytes(new byte[compressionMethods]);
        if (extensions != null) {
            u16(body, extensions.length);
            body.writeBytes(extensions);
        }
        return record(handshake(1, body.toByteArray()));
    }

    static byte[] handshake(int type, byte[] body) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(type);
        message.write(body.length >> 16);
        message.write(body.length >> 8);
        message.write(body.length);
        message.writeBytes(body);
        return message.toByteArray();
    }

    static byte[] record(byte[] fragment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x16);
        out.write(3);
        out.write(1);
        u16(out, fragment.length);
        out.writeBytes(fragment);
        return out.toByteArray();
    }

    /** A server_name extension with one entry per name, of {@code nameType}. */
    static byte[] sniExtension(int nameType, String... names) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (String name : names) {
            byte[] bytes = name.getBytes(StandardCharsets.ISO_8859_1);
            list.write(nameType);
            u16(list, bytes.length);
            list.writeBytes(bytes);
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        u16(data, list.size());
        data.writeBytes(list.toByteArray());
        return extension(0, data.toByteArray());
    }

    static byte[] extension(int type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }
}
