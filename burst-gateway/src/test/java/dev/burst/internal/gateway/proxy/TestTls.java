package dev.burst.internal.gateway.proxy;

import dev.burst.internal.transport.ClusterCredentials;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

/** TLS identities and clients for the proxy's tests. */
final class TestTls {
    private TestTls() {
    }

    /** A self-signed identity made the way a cluster makes its own. */
    record Identity(SSLContext server, X509Certificate certificate) {
        static Identity create(Path dir) {
            ClusterCredentials.forScheduler(dir);
            try {
                char[] password = Files.readString(dir.resolve(ClusterCredentials.PASSWORD_FILE)).strip().toCharArray();
                KeyStore store = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(dir.resolve(ClusterCredentials.KEY_STORE_FILE))) {
                    store.load(in, password);
                }
                KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, password);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keys.getKeyManagers(), null, null);
                String alias = store.aliases().nextElement();
                return new Identity(context, (X509Certificate) store.getCertificate(alias));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A client context that accepts any certificate: the tests look at which one they got. */
    static SSLContext trustingClient() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS client socket to 127.0.0.1:{@code port} that sends {@code serverName} as SNI (null: no SNI), handshake done. */
    static SSLSocket connect(int port, String serverName) throws IOException {
        SSLSocket socket = (SSLSocket) trustingClient().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        SSLParameters parameters = socket.getSSLParameters();
        List<SNIServerName> names = serverName == null ? List.of() : List.of(new SNIHostName(serverName));
        parameters.setServerNames(names);
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** Writes {@code line} and a newline, and reads one line back. */
    static String roundTrip(SSLSocket socket, String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return readLine(socket.getInputStream());
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            text.append((char) c);
        }
        return text.toString();
    }
}
