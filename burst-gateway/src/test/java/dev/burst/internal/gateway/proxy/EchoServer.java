package dev.burst.internal.gateway.proxy;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A test backend on loopback: TLS (with its own identity) that answers each line with
 * {@code <name>:<line>}; optionally reading a PROXY protocol line first, as the gateway's HTTPS
 * server does. Records what it saw.
 */
final class EchoServer implements AutoCloseable {
    final String name;
    final Queue<String> proxyHeaders = new ConcurrentLinkedQueue<>();
    final Queue<String> serverNames = new ConcurrentLinkedQueue<>();
    private final SSLContext tls;
    private final boolean proxyProtocol;
    private final ServerSocket listener;
    private final Queue<Socket> open = new ConcurrentLinkedQueue<>();
    private final Thread acceptor;

    EchoServer(String name, SSLContext tls, boolean proxyProtocol) throws IOException {
        this.name = name;
        this.tls = tls;
        this.proxyProtocol = proxyProtocol;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().start(this::accept);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket raw = listener.accept();
                open.add(raw);
                Thread.ofVirtual().start(() -> serve(raw));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket raw) {
        try (raw) {
            if (proxyProtocol) {
                proxyHeaders.add(readHeaderLine(raw.getInputStream()));
            }
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, true);
            socket.startHandshake();
            List<SNIServerName> requested = ((ExtendedSSLSession) socket.getSession()).getRequestedServerNames();
            serverNames.add(requested.isEmpty() ? "" : ((SNIHostName) requested.getFirst()).getAsciiName());
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String line = TestTls.readLine(in);
                if (line.isEmpty()) {
                    return;
                }
                out.write((name + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the client or the proxy went away
        }
    }

    /** The PROXY line, with its CR LF, read a byte at a time so no TLS byte is consumed. */
    private static String readHeaderLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0; c = in.read()) {
            line.append((char) c);
            if (c == '\n' || line.length() > 120) {
                break;
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            socket.close();
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
