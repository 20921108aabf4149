package dev.burst.internal.gateway.server;

import dev.burst.internal.gateway.reclaim.ReclaimTimeouts;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a gateway runs. Built with {@link #builder(Path)}; every ambient input (clock, directories)
 * is a setting, so tests run a gateway on an injected clock in a temporary directory.
 */
public record GatewaySettings(Path dataDir, String databaseUrl, String databaseUser, String databasePassword, String host,
                              int port, TlsMode tls, Path tlsKeyStore, String tlsKeyStorePassword, String backend,
                              Map<String, String> backendSettings, ReclaimTimeouts reclaim, InstantSource clock,
                              Duration pollInterval, Duration usageInterval, Duration lease, int defaultThreads,
                              String defaultMemory, int defaultMaxWorkers, String clusterClasspath, List<String> clusterJavaOptions,
                              Duration orphanTimeout, int spareProcesses, java.net.URI jupyterHubApi) {

    /** How the gateway's port speaks. */
    public enum TlsMode {
        /** HTTPS with a self-signed certificate made at first start (clients pin its SHA-256). */
        SELF_SIGNED,
        /** HTTPS with the admin's PKCS#12 key store. */
        PROVIDED,
        /** Plain HTTP: only on a loopback address, and only when asked for. */
        PLAIN_LOOPBACK
    }

    public GatewaySettings {
        Objects.requireNonNull(dataDir, "dataDir");
        backendSettings = Map.copyOf(backendSettings);
        clusterJavaOptions = List.copyOf(clusterJavaOptions);
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    public static final class Builder {
        private final Path dataDir;
        private String databaseUrl;
        private String databaseUser = "";
        private String databasePassword = "";
        private String host = "127.0.0.1";
        private int port = 8787;
        private TlsMode tls = TlsMode.SELF_SIGNED;
        private Path tlsKeyStore;
        private String tlsKeyStorePassword;
        private String backend = "local";
        private final Map<String, String> backendSettings = new LinkedHashMap<>();
        private ReclaimTimeouts reclaim = ReclaimTimeouts.DEFAULTS;
        private InstantSource clock = InstantSource.system();
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration usageInterval = Duration.ofSeconds(10);
        private Duration lease = Duration.ofSeconds(60);
        private int defaultThreads = 1;
        private String defaultMemory = "2g";
        private int defaultMaxWorkers = 4;
        private String clusterClasspath = System.getProperty("java.class.path");
        private List<String> clusterJavaOptions = List.of();
        private Duration orphanTimeout = Duration.ofMinutes(10);
        private int spareProcesses = 1;
        private java.net.URI jupyterHubApi;

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        /** A JDBC URL ({@code jdbc:postgresql://...}); default: H2 in the data directory. */
        public Builder database(String url, String user, String password) {
            this.databaseUrl = url;
            this.databaseUser = user == null ? "" : user;
            this.databasePassword = password == null ? "" : password;
            return this;
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The one public port (0: any free one). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        public Builder selfSignedTls() {
            this.tls = TlsMode.SELF_SIGNED;
            return this;
        }

        public Builder tlsKeyStore(Path pkcs12, String password) {
            this.tls = TlsMode.PROVIDED;
            this.tlsKeyStore = Objects.requireNonNull(pkcs12, "pkcs12");
            this.tlsKeyStorePassword = Objects.requireNonNull(password, "password");
            return this;
        }

        public Builder plainHttpOnLoopback() {
            this.tls = TlsMode.PLAIN_LOOPBACK;
            return this;
        }

        public Builder backend(String name) {
            this.backend = Objects.requireNonNull(name, "backend");
            return this;
        }

        public Builder backendSetting(String key, String value) {
            backendSettings.put(key, value);
            return this;
        }

        public Builder reclaim(ReclaimTimeouts timeouts) {
            this.reclaim = Objects.requireNonNull(timeouts, "timeouts");
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How often every cluster's status is read (for culling, usage and routes). */
        public Builder pollInterval(Duration d) {
            this.pollInterval = positive("poll interval", d);
            return this;
        }

        /** How often a running cluster's usage is written to the ledger. */
        public Builder usageInterval(Duration d) {
            this.usageInterval = positive("usage interval", d);
            return this;
        }

        /** The budget lease: how much of a cluster's time a budget must cover before it starts or grows. */
        public Builder lease(Duration d) {
            this.lease = positive("lease", d);
            return this;
        }

        public Builder defaultThreads(int n) {
            this.defaultThreads = n;
            return this;
        }

        public Builder defaultMemory(String size) {
            this.defaultMemory = size;
            return this;
        }

        /** An adaptive cluster's maximum when the user gives none. */
        public Builder defaultMaxWorkers(int n) {
            this.defaultMaxWorkers = n;
            return this;
        }

        public Builder clusterClasspath(String classpath) {
            this.clusterClasspath = classpath;
            return this;
        }

        public Builder clusterJavaOptions(List<String> options) {
            this.clusterJavaOptions = List.copyOf(options);
            return this;
        }

        /** How long a cluster process lives on without hearing from any gateway. */
        public Builder orphanTimeout(Duration d) {
            this.orphanTimeout = positive("orphan timeout", d);
            return this;
        }

        /** Cluster processes kept started and bare, so that a create does not wait for a JVM. */
        /**
         * Also accepts the API tokens of this JupyterHub's users ({@code http://hub:8081/hub/api}), as
         * Dask Gateway's JupyterHub authenticator does: a notebook server the hub spawned connects
         * with its {@code JUPYTERHUB_API_TOKEN}. Null: only the gateway's own tokens.
         */
        public Builder jupyterHubApi(String url) {
            if (url == null) {
                this.jupyterHubApi = null;
                return this;
            }
            java.net.URI u = java.net.URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("the JupyterHub API must be an http(s) URL such as http://hub:8081/hub/api, got '"
                        + url + "'");
            }
            this.jupyterHubApi = u;
            return this;
        }

        public Builder spareProcesses(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("spare processes must be 0 or more, got " + n);
            }
            this.spareProcesses = n;
            return this;
        }

        private static Duration positive(String what, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        public GatewaySettings build() {
            if (tls == TlsMode.PLAIN_LOOPBACK && !isLoopback(host)) {
                throw new IllegalArgumentException("plain HTTP is only served on a loopback address, not on " + host
                        + "; drop --plain-http or bind 127.0.0.1");
            }
            return new GatewaySettings(dataDir, databaseUrl, databaseUser, databasePassword, host, port, tls, tlsKeyStore,
                    tlsKeyStorePassword, backend, backendSettings, reclaim, clock, pollInterval, usageInterval, lease,
                    defaultThreads, defaultMemory, defaultMaxWorkers, clusterClasspath, clusterJavaOptions, orphanTimeout,
                    spareProcesses, jupyterHubApi);
        }

        static boolean isLoopback(String host) {
            return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
        }
    }
}
