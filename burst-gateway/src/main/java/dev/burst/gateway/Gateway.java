package dev.burst.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.BurstDirectories;
import dev.burst.internal.transport.Transport;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A connection to a Burst gateway as one of its users, after Dask Gateway's Python client.
 *
 * <pre>{@code
 * try (Gateway gw = Gateway.open("https://gateway.example.org:8787", null);      // token from BURST_GATEWAY_TOKEN
 *      GatewayCluster cluster = gw.newCluster(ClusterOptions.builder().adapt(0, 20).threads(4).build());
 *      Client client = Client.connect(cluster)) {
 *     List<Long> out = client.gather(client.map(Work::simulate, seeds));
 * }   // closing the cluster stops it, unless it was made detached
 * }</pre>
 *
 * <p>{@link #open} opens a connection to the gateway; {@link #connect(String)} then connects to one of
 * the caller's clusters by name, as Dask Gateway's {@code gateway.connect(name)} does.
 *
 * <p>The gateway's certificate is pinned by its SHA-256: given ({@link Builder#certificateSha256},
 * or {@code $BURST_GATEWAY_CERT_SHA256}), else remembered at the first connection in
 * {@code ~/.burst/gateways/known-certificates} and required to match ever after, as SSH does with
 * host keys. Thread-safe.
 */
public final class Gateway implements AutoCloseable {
    /** The environment variable an API token is read from when none is given. */
    public static final String TOKEN_ENV = "BURST_GATEWAY_TOKEN";
    /** Set by JupyterHub in the servers it spawns; used when {@link #TOKEN_ENV} is not set. */
    public static final String HUB_TOKEN_ENV = "JUPYTERHUB_API_TOKEN";
    /** The environment variable a certificate pin is read from when none is given. */
    public static final String CERT_ENV = "BURST_GATEWAY_CERT_SHA256";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(150);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final String certificateSha256;
    private final Path home;

    private Gateway(URI base, String token, HttpClient http, String certificateSha256, Path home) {
        this.base = base;
        this.token = token;
        this.http = http;
        this.certificateSha256 = certificateSha256;
        this.home = home;
    }

    /**
     * Opens a connection to the gateway at {@code url} with {@code token}; null: the token in
     * {@code $BURST_GATEWAY_TOKEN} (or JupyterHub's {@code $JUPYTERHUB_API_TOKEN}).
     */
    public static Gateway open(String url, String token) {
        Builder b = builder(url);
        return (token == null ? b : b.token(token)).build();
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    // ---------------------------------------------------------------- clusters

    /** A new cluster with the gateway's defaults. */
    public GatewayCluster newCluster() {
        return newCluster(ClusterOptions.defaults());
    }

    /**
     * A new cluster of the caller's, running when this returns.
     *
     * @throws GatewayException 422 with the limit or budget and the figures when it is not allowed
     */
    public GatewayCluster newCluster(ClusterOptions options) {
        Objects.requireNonNull(options, "options");
        JsonNode c = call("POST", "/api/v1/clusters", options.body());
        return new GatewayCluster(this, c, !c.path("detached").asBoolean(false));
    }

    /** The caller's clusters that are running (with {@code includeStopped}, also those that stopped). */
    public List<GatewayClusterInfo> clusters(boolean includeStopped) {
        JsonNode r = call("GET", "/api/v1/clusters" + (includeStopped ? "?stopped=true" : ""), null);
        List<GatewayClusterInfo> out = new ArrayList<>();
        for (JsonNode c : r.path("clusters")) {
            out.add(info(c));
        }
        return out;
    }

    public List<GatewayClusterInfo> clusters() {
        return clusters(false);
    }

    /** A handle on the caller's running cluster {@code name}; closing it does not stop the cluster. */
    public GatewayCluster connect(String name) {
        Objects.requireNonNull(name, "name");
        JsonNode c = call("GET", "/api/v1/clusters/" + pathSegment(name), null);
        if (!c.has("connection")) { // one's stopped cluster: the gateway shows its record, there is nothing to connect to
            throw new GatewayException(409, "cluster " + name + " is not running (" + c.path("state").asText() + ")");
        }
        return new GatewayCluster(this, c, false);
    }

    /** Stops the caller's cluster {@code name}. */
    public void stopCluster(String name) {
        call("DELETE", "/api/v1/clusters/" + pathSegment(name), null);
    }

    /** The caller: name, group, limits, budget left, what their clusters hold now ({@code GET /api/v1/me}). */
    public GatewayUser me() {
        return GatewayUser.of(call("GET", "/api/v1/me", null));
    }

    /** The caller's usage in total, per cluster and per day over the last {@code days} days ({@code GET /api/v1/usage}). */
    public GatewayUsage usage(int days) {
        if (days < 1) {
            throw new IllegalArgumentException("days must be >= 1, got " + days);
        }
        return GatewayUsage.of(call("GET", "/api/v1/usage?days=" + days, null));
    }

    /** The SHA-256 of the gateway's certificate this connection pinned (null on plain HTTP). */
    public String certificateSha256() {
        return certificateSha256;
    }

    public URI uri() {
        return base;
    }

    @Override
    public void close() {
        http.close();
    }

    // ---------------------------------------------------------------- internals

    GatewayClusterInfo info(JsonNode c) {
        return new GatewayClusterInfo(c.path("name").asText(), c.path("user").asText(), c.path("state").asText(),
                instant(c.path("createdAt")), instant(c.path("stoppedAt")), text(c.path("stopReason")), text(c.path("stopDetail")),
                c.path("workers").path("connected").asInt(0), c.path("workers").path("max").asInt(0), c.path("detached").asBoolean(),
                GatewayUsage.Figures.of(c.path("usage")), text(c.path("windDown")),
                c.path("dashboard").isTextual() ? base.resolve(c.path("dashboard").asText().replaceFirst("^/", "")) : null);
    }

    static Instant instant(JsonNode n) {
        return n.isTextual() ? Instant.parse(n.asText()) : null;
    }

    static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }

    static String pathSegment(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Path home() {
        return home;
    }

    /** Calls the REST API; a refusal becomes a {@link GatewayException} with the gateway's message. */
    JsonNode call(String method, String path, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json");
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode n;
            try {
                n = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
            } catch (IOException notJson) {
                throw new GatewayException(r.statusCode(), "the gateway at " + base + " answered " + r.statusCode()
                        + " with something that is not JSON (is it a Burst gateway?)");
            }
            if (r.statusCode() / 100 != 2) {
                throw new GatewayException(r.statusCode(), n.path("error").asText("HTTP " + r.statusCode()));
            }
            return n;
        } catch (IOException e) {
            throw new GatewayException("cannot reach the gateway at " + base + ": " + why(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException("interrupted while calling the gateway", e);
        }
    }

    /** Why a call failed, in words: the JDK's exceptions often carry no message ("null") or only a nested one. */
    static String why(IOException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            if (root instanceof java.security.cert.CertificateException) {
                return root.getMessage();
            }
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "no answer within " + CONNECT_TIMEOUT.toSeconds() + " s (a firewall, or a wrong host?)";
        }
        if (e instanceof java.net.ConnectException || root instanceof java.net.ConnectException) {
            return "connection refused (is 'burst gateway serve' running there, on that port?)";
        }
        if (root instanceof java.net.UnknownHostException) {
            return "unknown host " + root.getMessage();
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer within " + TIMEOUT.toSeconds() + " s";
        }
        String m = e.getMessage() != null ? e.getMessage() : root.getMessage();
        return m != null ? m : e.getClass().getSimpleName();
    }

    /** Builds a {@link Gateway} connection. */
    public static final class Builder {
        private final String url;
        private String token;
        private Path tokenFile;
        private String certificateSha256;
        private Path home;

        private Builder(String url) {
            this.url = Objects.requireNonNull(url, "url");
        }

        /** The API token (default: {@code $BURST_GATEWAY_TOKEN}). */
        public Builder token(String token) {
            this.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /** A file whose first line is the API token. */
        public Builder tokenFile(Path file) {
            this.tokenFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** The SHA-256 (hex) of the gateway's certificate, as {@code burst gateway serve} prints it. */
        public Builder certificateSha256(String hex) {
            this.certificateSha256 = Objects.requireNonNull(hex, "hex").toLowerCase(Locale.ROOT).replace(":", "");
            return this;
        }

        /** Where remembered certificates and cluster token files are kept (default: Burst's home, {@code ~/.burst}). */
        public Builder home(Path dir) {
            this.home = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Connects: checks the URL, finds the token, pins the certificate, asks {@code /api/health}.
         *
         * @throws IllegalArgumentException for a malformed URL, no token, or a bad pin
         * @throws GatewayException if the gateway cannot be reached or its certificate is not the pinned one
         */
        public Gateway build() {
            URI uri;
            try {
                uri = URI.create(url.endsWith("/") ? url : url + "/");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad gateway URL '" + url + "': " + e.getMessage());
            }
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new IllegalArgumentException("bad gateway URL '" + url + "': expected https://host:port");
            }
            if ("http".equals(uri.getScheme()) && !(uri.getHost().equals("localhost") || uri.getHost().startsWith("127.")
                    || uri.getHost().equals("[::1]"))) {
                throw new IllegalArgumentException("refusing to send an API token over plain HTTP to " + uri.getHost()
                        + ": use https:// (a gateway serves plain HTTP on loopback only)");
            }
            String secret = token;
            if (secret == null && tokenFile != null) {
                try {
                    secret = Files.readAllLines(tokenFile).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                            .findFirst().orElseThrow(() -> new IllegalArgumentException("the token file " + tokenFile + " is empty"));
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read the token file " + tokenFile + ": " + e.getMessage());
                }
            }
            if (secret == null) {
                secret = System.getenv(TOKEN_ENV);
            }
            if (secret == null) { // in a notebook server JupyterHub spawned: the hub's token, for a gateway that trusts the hub
                secret = System.getenv(HUB_TOKEN_ENV);
            }
            if (secret == null || secret.isBlank()) {
                throw new IllegalArgumentException("no gateway API token: pass one, or set " + TOKEN_ENV
                        + " (an admin makes one with 'burst gateway user add NAME')");
            }
            Path dir = home != null ? home : BurstDirectories.fromEnvironment().home();
            String pin = certificateSha256 != null ? certificateSha256 : System.getenv(CERT_ENV);
            HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
            if (uri.getScheme().equals("https")) {
                String pinSource = certificateSha256 != null ? "given to Gateway.builder" : pin != null ? "$" + CERT_ENV : null;
                if (pin == null) {
                    pin = KnownCertificates.pinFor(dir, uri);
                    pinSource = KnownCertificates.file(dir) + ", remembered at the first connection";
                }
                if (!SHA256.matcher(pin).matches()) {
                    throw new IllegalArgumentException("bad certificate pin '" + pin + "': expected 64 hex digits");
                }
                try {
                    SSLContext ssl = SSLContext.getInstance("TLS");
                    ssl.init(null, new TrustManager[]{new Transport.PinnedCertificate(pin, pinSource, "the gateway's at " + uri,
                            "another server answers there, or the gateway got a new certificate; when its admin confirms the "
                                    + "new sha256, set $" + CERT_ENV + " to it, or remove the line of "
                                    + uri.getHost() + ":" + (uri.getPort() < 0 ? 443 : uri.getPort()) + " from "
                                    + KnownCertificates.file(dir))}, null);
                    hb.sslContext(ssl);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("cannot set up TLS: " + e, e);
                }
            } else {
                pin = null;
            }
            Gateway g = new Gateway(uri, secret.strip(), hb.build(), pin, dir);
            try {
                g.call("GET", "/api/health", null);
            } catch (GatewayException e) {
                g.close();
                throw e;
            }
            return g;
        }
    }

    /** Trust on first use: the gateway certificates this user has seen, by host and port. */
    static final class KnownCertificates {
        private KnownCertificates() {
        }

        static Path file(Path home) {
            return home.resolve("gateways").resolve("known-certificates");
        }

        static String pinFor(Path home, URI uri) {
            Path file = file(home);
            String key = uri.getHost().toLowerCase(Locale.ROOT) + ":" + (uri.getPort() < 0 ? 443 : uri.getPort());
            try {
                if (Files.exists(file)) {
                    for (String line : Files.readAllLines(file)) {
                        String[] parts = line.strip().split("\\s+");
                        if (parts.length == 2 && parts[0].equals(key)) {
                            return parts[1];
                        }
                    }
                }
                String seen = fetch(uri);
                Files.createDirectories(file.getParent());
                Files.writeString(file, key + " " + seen + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                System.err.println("burst: first connection to the gateway at " + key + "; its certificate sha256 " + seen
                        + " is remembered in " + file);
                return seen;
            } catch (IOException e) {
                throw new GatewayException("cannot reach the gateway at " + uri + ": " + why(e), e);
            }
        }

        private static String fetch(URI uri) throws IOException {
            try {
                SSLContext ssl = SSLContext.getInstance("TLS");
                X509Certificate[][] seen = new X509Certificate[1][];
                ssl.init(null, new TrustManager[]{new X509TrustManager() {
                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType) {
                        seen[0] = chain;
                    }

                    @Override
                    public X509Certificate[] getAcceptedIssuers() {
                        return new X509Certificate[0];
                    }
                }}, null);
                try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(uri.getHost(), uri.getPort() < 0 ? 443 : uri.getPort())) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                }
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(seen[0][0].getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IOException("TLS handshake failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "Gateway{" + base + "}";
    }
}
