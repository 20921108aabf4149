package dev.burst.internal.gateway.server;

import dev.burst.internal.gateway.ledger.GatewayDatabase;
import dev.burst.internal.transport.ClusterCredentials;
import dev.burst.spi.ClusterBackend;
import dev.burst.spi.ClusterBackends;
import io.javalin.Javalin;
import dev.burst.internal.gateway.proxy.SniProxy;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running gateway: the ledger, the fleet of clusters, the REST API over HTTPS on loopback behind
 * the one public port's SNI proxy (which passes each cluster's TLS through to it), the poller.
 *
 * <p>Design note: {@link #start} runs named steps, each adding what it made to one list of things
 * to close; a step that fails closes what the earlier ones made, in reverse, through the same
 * {@link #close()} a caller uses. The ledger opens first and closes last, so every cluster stop
 * is recorded.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    private final GatewaySettings settings;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private GatewayDatabase db;
    private ClusterBackend backend;
    private ClusterFleet fleet;
    private Path keyStore;
    private String keyStorePassword;
    private String certificateSha256;
    private String publicKeyPin;
    private Javalin http;
    private SniProxy proxy;
    private volatile GatewayAddress address;
    /** Every route the HTTP server registered, as {@code METHOD path}, in the order registered. */
    private final List<String> routes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean closed;

    private GatewayServer(GatewaySettings settings) {
        this.settings = settings;
    }

    /** Starts a gateway as {@code settings} say; on failure nothing it started is left. */
    public static GatewayServer start(GatewaySettings settings) {
        GatewayServer g = new GatewayServer(settings);
        try {
            g.checkBackend();
            g.openLedger();
            g.prepareTls();
            g.takeBackClusters();
            g.serveHttp();
            g.servePublicPort();
            g.pollClusters();
            g.fleet.replenishSpares();
            log.info("gateway serving {} (backend {}, ledger {}){}", g.address.url(), g.backend.name(), g.db.description(),
                    g.certificateSha256 == null ? "" : "; certificate sha256 " + g.certificateSha256);
            return g;
        } catch (RuntimeException | IOException e) {
            g.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("cannot start the gateway: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- start steps

    private void checkBackend() {
        backend = ClusterBackends.require(settings.backend());
        for (String key : settings.backendSettings().keySet()) {
            if (!backend.settings().containsKey(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "' for backend " + backend.name() + "; known: "
                        + String.join(", ", backend.settings().keySet()));
            }
        }
    }

    private void openLedger() throws IOException {
        privateDirectory(settings.dataDir());
        db = settings.databaseUrl() == null ? GatewayDatabase.openH2(settings.dataDir())
                : GatewayDatabase.open(settings.databaseUrl(), settings.databaseUser(), settings.databasePassword());
        toClose.add(db);
    }

    /**
     * The data directory, readable by the gateway's user only: it holds the ledger (and H2's
     * auto-server key, which lets a process of another account on this machine open it), the TLS
     * key and the clusters' tokens.
     */
    public static void privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own access rules apply
        }
    }

    private void prepareTls() throws IOException {
        switch (settings.tls()) {
            case PLAIN_LOOPBACK -> { }
            case SELF_SIGNED -> {
                Path dir = settings.dataDir().resolve("tls");
                ClusterCredentials.forScheduler(dir); // makes the key pair once, then reuses it
                keyStore = dir.resolve(ClusterCredentials.KEY_STORE_FILE);
                keyStorePassword = Files.readString(dir.resolve(ClusterCredentials.PASSWORD_FILE), StandardCharsets.UTF_8).strip();
            }
            case PROVIDED -> {
                keyStore = settings.tlsKeyStore();
                keyStorePassword = settings.tlsKeyStorePassword();
            }
        }
        if (keyStore != null) {
            Certificate certificate = firstCertificate(keyStore, keyStorePassword);
            try {
                certificateSha256 = sha256Hex(certificate.getEncoded());
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalArgumentException("cannot encode the gateway's certificate in " + keyStore + ": " + e.getMessage(), e);
            }
            publicKeyPin = "sha256//" + java.util.Base64.getEncoder().encodeToString(sha256(certificate.getPublicKey().getEncoded()));
        }
    }

    private static Certificate firstCertificate(Path p12, String password) {
        try (var in = Files.newInputStream(p12)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    return ks.getCertificate(alias);
                }
            }
            throw new IllegalArgumentException("the key store " + p12 + " holds no key and certificate");
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the TLS key store " + p12 + ": " + e.getMessage(), e);
        }
    }

    private void takeBackClusters() throws IOException {
        fleet = new ClusterFleet(settings, db);
        toClose.add(fleet);
        fleet.adoptAfterRestart();
    }

    private void serveHttp() {
        ApiRoutes api = new ApiRoutes(settings, db, fleet, backend, () -> address);
        WebRoutes web = new WebRoutes(api, db, fleet, keyStore != null);
        toClose.add(web); // closed after the server stops
        http = Javalin.create(config -> {
            config.events.handlerAdded(h -> {
                if (h.getHttpMethod().isHttpMethod()) {
                    routes.add(h.getHttpMethod().name() + " " + h.getPath());
                }
            });
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.jetty.addConnector((server, httpConfig) -> {
                HttpConnectionFactory h1 = new HttpConnectionFactory(httpConfig);
                ServerConnector c;
                if (keyStore == null) {
                    c = new ServerConnector(server, h1); // plain HTTP: only on loopback, as the settings checked
                } else {
                    // Clients pin the certificate: no host-name check, and SNI need not match it.
                    httpConfig.addCustomizer(new SecureRequestCustomizer(false));
                    SslContextFactory.Server ssl = new SslContextFactory.Server();
                    ssl.setKeyStorePath(keyStore.toString());
                    ssl.setKeyStoreType("PKCS12");
                    ssl.setKeyStorePassword(keyStorePassword);
                    ssl.setSniRequired(false);
                    c = new ServerConnector(server, new SslConnectionFactory(ssl, h1.getProtocol()), h1);
                }
                // Behind the SNI proxy, on loopback only; the PROXY header carries each client's address.
                c.addFirstConnectionFactory(new ProxyConnectionFactory(c.getDefaultConnectionFactory().getProtocol()));
                c.setHost("127.0.0.1");
                c.setPort(0);
                return c;
            });
            api.install(config);
            new ApiDocs().install(config);
            web.install(config);
        }).start();
        toClose.add(http::stop);
    }

    /** The one public port: TLS routed by SNI to clusters, everything else to the HTTP server. */
    private void servePublicPort() throws IOException {
        int httpPort = ((ServerConnector) http.jettyServer().server().getConnectors()[0]).getLocalPort();
        proxy = SniProxy.start(SniProxy.Settings.builder().bindHost(settings.host()).port(settings.port())
                .routes(fleet::route).fallback(new InetSocketAddress("127.0.0.1", httpPort))
                .plainHttpToFallback(keyStore == null).build());
        toClose.add(proxy);
        fleet.ownPorts(java.util.Set.of(httpPort, proxy.port()));
        address = new GatewayAddress(settings.host(), proxy.port(), keyStore != null);
        fleet.workerEntranceAddress(new GatewayAddress(hostForWorkers(settings.host()), proxy.port(), true).burstAddress());
    }

    /** The gateway's host as workers on other machines name it: this machine's name when bound to every interface. */
    private static String hostForWorkers(String bindHost) {
        if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::") && !bindHost.equals("[::]")) {
            return bindHost;
        }
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("the gateway listens on every interface, and this machine's host name, which"
                    + " workers would connect to, does not resolve (" + e.getMessage() + "); give --host", e);
        }
    }

    private void pollClusters() {
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "burst-gateway-poller");
            t.setDaemon(true);
            return t;
        });
        toClose.add(() -> {
            poller.shutdown();
            poller.awaitTermination(30, TimeUnit.SECONDS);
        });
        long every = settings.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(fleet::poll, every, every, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- what it is

    public int port() {
        return address.port();
    }

    /** {@code https://host:port} (or {@code http://} on plain loopback). */
    public String url() {
        return address.url();
    }

    /** {@code burst://host:port}: where clients reach the clusters. */
    public String burstAddress() {
        return address.burstAddress();
    }

    /** The SHA-256 of the gateway's certificate, which clients pin; null on plain HTTP. */
    public String certificateSha256() {
        return certificateSha256;
    }

    /**
     * The gateway's public key as curl pins it ({@code --pinnedpubkey sha256//<base64>}: the SHA-256 of
     * the key's SubjectPublicKeyInfo, not of the certificate); null on plain HTTP.
     */
    public String publicKeyPin() {
        return publicKeyPin;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256(bytes));
    }

    /** The HTTP routes this gateway serves, as {@code METHOD path} (Javalin's path syntax): what its API document must list. */
    List<String> routes() {
        return List.copyOf(routes);
    }

    public GatewayDatabase database() {
        return db;
    }

    public ClusterFleet fleet() {
        return fleet;
    }

    /**
     * Stops serving, stops every cluster (reason {@code gateway-shutdown}), closes the ledger.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                log.warn("closing the gateway: {}", e.toString());
            }
        }
        toClose.clear();
    }
}
