package dev.burst.internal.transport;

import dev.burst.BurstException;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A cluster's TLS identity and token: what a peer needs to serve or to connect.
 *
 * <p>Design note: each scheduler has one self-signed EC P-256 certificate, generated once with the
 * JDK's {@code keytool} (no extra dependency; about a second) and kept in {@code scheduler.p12}
 * next to its random password. Every peer that serves — the scheduler, and each worker serving its
 * results once the scheduler has sent it the key store — uses that one identity, so a client needs
 * only the certificate's SHA-256 to trust the whole cluster: the pin replaces a CA and host-name
 * checks. The token is new on every scheduler start, so a restart locks out whoever held the old
 * one. Both go into a {@code token} file (mode 0600) that clients and workers read.
 *
 * <p>A client that reaches the cluster through a gateway has a token file of its own, written by
 * {@link #writeClientTokenFile}, with one more line: {@code route=<name>}, the TLS server name (SNI)
 * the gateway's one port routes to this cluster by ({@link GatewayRoutes}). The pin stays the
 * cluster's own certificate: the gateway passes TLS through and never holds the cluster's key.
 *
 * <p>The scheduler's token file also holds a second token, {@code client-token=}, that lets a peer
 * in as a client only. It is what a gateway hands its users: with the full token anyone could join
 * as a worker and name any address as its own, and the gateway, which routes clients to workers by
 * the addresses the scheduler lists, would become a relay to it. A peer with the full token may be
 * either. Workers' data servers accept both, since clients fetch results from them.
 */
public final class ClusterCredentials {
    static final String TOKEN_FILE_ENV = "BURST_TOKEN_FILE";
    public static final String KEY_STORE_FILE = "scheduler.p12";
    public static final String PASSWORD_FILE = "scheduler.p12.password";
    static final String TOKEN_FILE = "token";
    private static final String ALIAS = "burst";
    private static final String TOKEN_KEY = "token";
    private static final String SHA256_KEY = "certificate-sha256";
    private static final String ROUTE_KEY = "route";
    private static final String CLIENT_TOKEN_KEY = "client-token";
    /** What a token may hold: it travels in a header and sits on one line of the token file. */
    private static final Pattern TOKEN_TEXT = Pattern.compile("[\\x21-\\x7e]+");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern DNS_NAME =
            Pattern.compile("(?=.*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long KEYTOOL_TIMEOUT_SECONDS = 120;

    private final String token;
    /** The token that opens only a client's connection; null where there is none (a client's own file). */
    private final String clientToken;
    private final String certificateSha256;
    private final Path tokenFile;
    /** The gateway route (SNI) to reach the cluster by; null to connect directly. */
    private final String route;
    private final byte[] keyStore;
    private final String keyStorePassword;
    private final PrivateKey privateKey;
    private final X509Certificate certificate;

    private ClusterCredentials(String token, String clientToken, String certificateSha256, Path tokenFile, String route,
                               byte[] keyStore, String keyStorePassword, PrivateKey privateKey,
                               X509Certificate certificate) {
        this.token = token;
        this.clientToken = clientToken;
        this.certificateSha256 = certificateSha256;
        this.tokenFile = tokenFile;
        this.route = route;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        this.privateKey = privateKey;
        this.certificate = certificate;
    }

    /**
     * The scheduler's credentials in {@code dir}: reuses {@code scheduler.p12} if there is one,
     * else generates it; always makes a fresh token and (re)writes {@code dir/token}.
     */
    public static ClusterCredentials forScheduler(Path dir) {
        Path keyStoreFile = dir.resolve(KEY_STORE_FILE);
        Path passwordFile = dir.resolve(PASSWORD_FILE);
        try {
            createPrivateDirectories(dir);
            if (!Files.exists(keyStoreFile)) {
                generateKeyStore(keyStoreFile, passwordFile);
            } else if (!Files.exists(passwordFile)) {
                throw new BurstException("The key store " + keyStoreFile + " has no password file " + passwordFile
                        + " beside it; delete " + keyStoreFile + " to generate a new cluster identity");
            }
            byte[] bytes = Files.readAllBytes(keyStoreFile);
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            Identity identity = Identity.load(bytes, password, keyStoreFile + " (password in " + passwordFile + ")");
            String token = newToken();
            String clientToken = newToken();
            Path tokenFile = dir.resolve(TOKEN_FILE);
            String sha256 = sha256Hex(identity.certificate);
            writePrivate(tokenFile, ("# Burst cluster token and TLS certificate pin, written by the scheduler at "
                    + Instant.now() + ".\n# Clients and workers of this cluster read it; keep it private.\n"
                    + TOKEN_KEY + "=" + token + "\n" + SHA256_KEY + "=" + sha256 + "\n"
                    + "# " + CLIENT_TOKEN_KEY + " lets a peer in as a client only (what a gateway gives its users).\n"
                    + CLIENT_TOKEN_KEY + "=" + clientToken + "\n").getBytes(StandardCharsets.UTF_8));
            return new ClusterCredentials(token, clientToken, sha256, tokenFile, null, bytes, password, identity.key,
                    identity.certificate);
        } catch (IOException e) {
            throw new BurstException("Cannot set up the scheduler's credentials in " + dir + ": " + e, e);
        }
    }

    /**
     * A client's or worker's credentials: the token and certificate pin from a token file, and the
     * gateway route if it has a {@code route=} line.
     */
    public static ClusterCredentials fromTokenFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BurstException("No Burst token file at " + file);
        } catch (IOException e) {
            throw new BurstException("Cannot read the Burst token file " + file + ": " + e, e);
        }
        String token = null;
        String sha256 = null;
        String route = null;
        String clientToken = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new BurstException("Line " + (i + 1) + " of the Burst token file " + file + " is not key=value");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            switch (key) {
                case TOKEN_KEY -> token = value;
                case SHA256_KEY -> sha256 = value.toLowerCase(Locale.ROOT);
                case ROUTE_KEY -> route = value;
                case CLIENT_TOKEN_KEY -> clientToken = value.isEmpty() ? null : value;
                default -> { } // written by a newer Burst; not ours to refuse
            }
        }
        if (token == null || token.isEmpty()) {
            throw new BurstException("The Burst token file " + file + " has no '" + TOKEN_KEY + "=' line");
        }
        if (sha256 == null || sha256.isEmpty()) {
            throw new BurstException("The Burst token file " + file + " has no '" + SHA256_KEY + "=' line");
        }
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw new BurstException("The Burst token file " + file + " has a bad " + SHA256_KEY
                    + " (want 64 hex digits): " + sha256);
        }
        if (route != null) {
            try {
                GatewayRoutes.checkRoute(route);
            } catch (IllegalArgumentException e) {
                throw new BurstException("The Burst token file " + file + " has a bad " + ROUTE_KEY + "= line: "
                        + e.getMessage());
            }
        }
        return new ClusterCredentials(token, clientToken, sha256, file, route, null, null, null, null);
    }

    /**
     * Writes a client's token file for a cluster reached through a gateway: the cluster's token
     * and certificate pin, and the route the gateway knows it by. Mode 0600, written atomically;
     * missing parent directories are made (0700).
     *
     * @param file   where to write it (replaced if it exists)
     * @param token  the cluster's token ({@link #token()} of the scheduler's credentials)
     * @param sha256 the cluster certificate's SHA-256 in hex ({@link #certificateSha256()})
     * @param route  the cluster's route, checked by {@link GatewayRoutes#checkRoute}
     * @return {@code file}
     * @throws IllegalArgumentException naming the bad value
     * @throws BurstException if the file cannot be written
     */
    public static Path writeClientTokenFile(Path file, String token, String sha256, String route) {
        Objects.requireNonNull(file, "no token file to write");
        if (token == null || !TOKEN_TEXT.matcher(token).matches()) {
            throw new IllegalArgumentException("Bad cluster token for a client token file: "
                    + (token == null ? "null" : "want printable ASCII without spaces, " + token.length() + " characters given"));
        }
        String pin = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
        if (pin == null || !SHA256_HEX.matcher(pin).matches()) {
            throw new IllegalArgumentException("Bad " + SHA256_KEY + " for a client token file (want 64 hex digits): " + sha256);
        }
        GatewayRoutes.checkRoute(route);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                createPrivateDirectories(parent);
            }
            writePrivate(file, ("# Burst cluster token, TLS certificate pin and gateway route, written at "
                    + Instant.now() + ".\n# A client of this cluster reads it; keep it private.\n"
                    + TOKEN_KEY + "=" + token + "\n" + SHA256_KEY + "=" + pin + "\n" + ROUTE_KEY + "=" + route + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            return file;
        } catch (IOException e) {
            throw new BurstException("Cannot write the client token file " + file + ": " + e, e);
        }
    }

    /**
     * Writes a token file for this cluster's workers that reach it through a gateway: the cluster
     * token (workers may join), the client-only token (their data servers accept it), the pin and
     * the route. Mode 0600, written atomically; missing parent directories are made (0700).
     */
    public Path writeWorkerTokenFile(Path file, String route) {
        GatewayRoutes.checkRoute(route);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                createPrivateDirectories(parent);
            }
            writePrivate(file, ("# Burst cluster token, TLS certificate pin and gateway route for this cluster's workers,"
                    + " written at " + Instant.now() + ".\n# Keep it private.\n"
                    + TOKEN_KEY + "=" + token + "\n" + SHA256_KEY + "=" + certificateSha256 + "\n"
                    + (clientToken == null ? "" : CLIENT_TOKEN_KEY + "=" + clientToken + "\n")
                    + ROUTE_KEY + "=" + route + "\n").getBytes(StandardCharsets.UTF_8));
            return file;
        } catch (IOException e) {
            throw new BurstException("Cannot write the workers' token file " + file + ": " + e, e);
        }
    }

    /**
     * Credentials that can serve TLS with the cluster's identity: a worker's, from the key store
     * the scheduler sent it (so every peer presents the one pinned certificate). A peer presenting
     * {@code token} or {@code clientToken} (may be null: none) gets in.
     */
    public static ClusterCredentials withKeyStore(byte[] pkcs12, String password, String token, String clientToken) {
        if (pkcs12 == null || pkcs12.length == 0) {
            throw new IllegalArgumentException("No key store bytes (PKCS12) for the cluster's TLS identity");
        }
        if (password == null) {
            throw new IllegalArgumentException("No key store password for the cluster's TLS identity");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("No cluster token: '" + token + "'");
        }
        byte[] bytes = pkcs12.clone();
        Identity identity = Identity.load(bytes, password, "the key store the scheduler sent");
        return new ClusterCredentials(token, clientToken == null || clientToken.isBlank() ? null : clientToken,
                sha256Hex(identity.certificate), null, null, bytes, password, identity.key, identity.certificate);
    }

    /**
     * Like {@link #withKeyStore}, from the key (PKCS#8) and certificate (DER) themselves, as the
     * scheduler sends them too: no key store to decrypt, which costs a new worker JVM about 0.3 s of
     * interpreted PBKDF2 before its first connection.
     */
    public static ClusterCredentials withIdentity(byte[] privateKeyPkcs8, byte[] certificateDer, String token, String clientToken) {
        if (privateKeyPkcs8 == null || privateKeyPkcs8.length == 0 || certificateDer == null || certificateDer.length == 0) {
            throw new IllegalArgumentException("No private key or certificate for the cluster's TLS identity");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("No cluster token: '" + token + "'");
        }
        try {
            X509Certificate cert = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificateDer));
            PrivateKey key = java.security.KeyFactory.getInstance(cert.getPublicKey().getAlgorithm())
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(privateKeyPkcs8));
            return new ClusterCredentials(token, clientToken == null || clientToken.isBlank() ? null : clientToken,
                    sha256Hex(cert), null, null, null, null, key, cert);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new BurstException("Cannot read the cluster's TLS identity the scheduler sent: " + e, e);
        }
    }

    /** The private key, PKCS#8-encoded, for the scheduler to hand to its workers; null if {@code !canServe()}. */
    public byte[] privateKeyPkcs8() {
        return privateKey == null ? null : privateKey.getEncoded();
    }

    /** The certificate, DER-encoded; null if {@code !canServe()}. */
    public byte[] certificateDer() {
        try {
            return certificate == null ? null : certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("the cluster's certificate cannot be encoded", e);
        }
    }

    /** Where the scheduler at {@code address} keeps its credentials: {@code <burst home>/schedulers/<host>-<port>}. */
    public static Path defaultDir(BurstAddress address) {
        return dev.burst.BurstDirectories.fromEnvironment().schedulers().resolve(address.fileName());
    }

    /** A client's or worker's credentials for the scheduler at {@code address}: {@code $BURST_TOKEN_FILE}, else {@code defaultDir(address)/token}. */
    public static ClusterCredentials forAddress(BurstAddress address) {
        return forAddress(address, System.getenv(TOKEN_FILE_ENV), defaultDir(address));
    }

    static ClusterCredentials forAddress(BurstAddress address, String tokenFileEnv, Path defaultDir) {
        Path file;
        String tried;
        if (tokenFileEnv != null && !tokenFileEnv.isBlank()) {
            file = Path.of(tokenFileEnv.strip());
            tried = file + " (from " + TOKEN_FILE_ENV + ")";
        } else {
            file = defaultDir.resolve(TOKEN_FILE);
            tried = file + " (" + TOKEN_FILE_ENV + " is not set)";
        }
        if (!Files.exists(file)) {
            throw new BurstException("No token for the Burst scheduler at " + address + ": tried " + tried
                    + ". Start the scheduler on this machine with `bin/burst scheduler` (it writes "
                    + defaultDir.resolve(TOKEN_FILE) + "), or copy its token file here and set "
                    + TOKEN_FILE_ENV + " to its path.");
        }
        return fromTokenFile(file);
    }

    /** The cluster token, sent in the {@code burst-token} header of every call. */
    public String token() {
        return token;
    }

    /**
     * The token that lets a peer in as a client only: what a gateway gives its users. Where these
     * credentials have none (a client's own token file), the cluster token.
     */
    public String clientToken() {
        return clientToken == null ? token : clientToken;
    }

    /** The client-only token, or null where these credentials have none. */
    public String clientOnlyToken() {
        return clientToken;
    }

    /** Lower-case hex SHA-256 of the cluster certificate's DER encoding: what clients pin. */
    public String certificateSha256() {
        return certificateSha256;
    }

    /**
     * The gateway route (TLS server name) to reach the cluster by, from the token file's
     * {@code route=} line; empty to connect to the scheduler directly.
     */
    public Optional<String> route() {
        return Optional.ofNullable(route);
    }

    /** The token file these credentials came from or wrote; null for {@link #withKeyStore}. */
    public Path tokenFile() {
        return tokenFile;
    }

    /** The PKCS12 key store (a copy), for the scheduler to hand to its workers; null if {@code !canServe()}. */
    public byte[] keyStoreBytes() {
        return keyStore == null ? null : keyStore.clone();
    }

    /** The key store's password; null if {@code !canServe()}. */
    public String keyStorePassword() {
        return keyStorePassword;
    }

    /** Whether these credentials hold the private key, so can serve TLS. */
    boolean canServe() {
        return privateKey != null;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    X509Certificate certificate() {
        return certificate;
    }

    @Override
    public String toString() {
        return "ClusterCredentials[certificate-sha256=" + certificateSha256 + ", tokenFile=" + tokenFile
                + (route == null ? "" : ", route=" + route) + ", canServe=" + canServe() + "]";
    }

    static String sha256Hex(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("Cannot hash a certificate: " + e, e);
        }
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private record Identity(PrivateKey key, X509Certificate certificate) {
        static Identity load(byte[] pkcs12, String password, String what) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(new ByteArrayInputStream(pkcs12), password.toCharArray());
                for (String alias : Collections.list(store.aliases())) {
                    if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate cert) {
                        return new Identity((PrivateKey) store.getKey(alias, password.toCharArray()), cert);
                    }
                }
                throw new BurstException("The key store " + what + " holds no private key with an X.509 certificate");
            } catch (IOException | GeneralSecurityException e) {
                throw new BurstException("Cannot open the key store " + what + ": " + e, e);
            }
        }
    }

    // ---- generating the identity ------------------------------------------------------------

    private static void generateKeyStore(Path keyStoreFile, Path passwordFile) throws IOException {
        generateKeyStore(keytool(), keyStoreFile, passwordFile);
    }

    static void generateKeyStore(Path keytool, Path keyStoreFile, Path passwordFile) throws IOException {
        String password = newToken();
        Path temp = keyStoreFile.resolveSibling("." + KEY_STORE_FILE + ".tmp-" + newToken().substring(0, 8));
        List<String> command = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-noprompt",
                "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=Burst scheduler", "-ext", "SAN=" + subjectAlternativeNames(), "-validity", "3650",
                "-storetype", "PKCS12", "-keystore", temp.toString(), "-storepass:env", "BURST_KEYSTORE_PASSWORD"));
        // output to a file, not a pipe, so a hung keytool cannot block us past the timeout
        Path output = keyStoreFile.resolveSibling(".keytool-output-" + newToken().substring(0, 8));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice())).redirectOutput(output.toFile());
        builder.environment().put("BURST_KEYSTORE_PASSWORD", password);
        Process process = null;
        try {
            process = builder.start();
            boolean finished = process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!finished) {
                throw new BurstException("keytool did not finish in " + KEYTOOL_TIMEOUT_SECONDS + " s: "
                        + String.join(" ", command) + "\n" + readQuietly(output));
            }
            if (process.exitValue() != 0 || !Files.exists(temp)) {
                throw new BurstException("keytool failed (exit " + process.exitValue() + ") generating the cluster's"
                        + " TLS key: " + String.join(" ", command) + "\n" + readQuietly(output));
            }
            restrictToOwner(temp);
            // the password goes first, so a key store on disk always has its password beside it
            writePrivate(passwordFile, (password + "\n").getBytes(StandardCharsets.UTF_8));
            move(temp, keyStoreFile);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BurstException("Interrupted while keytool generated the cluster's TLS key", e);
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(temp);
            Files.deleteIfExists(output);
        }
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** keytool of the running JVM: next to its {@code java}, else in {@code java.home/bin}. */
    static Path keytool() {
        List<Path> tried = new ArrayList<>();
        ProcessHandle.current().info().command().ifPresent(java -> tried.add(Path.of(java).resolveSibling("keytool")));
        tried.add(Path.of(System.getProperty("java.home"), "bin", "keytool"));
        for (Path candidate : tried) {
            for (Path file : List.of(candidate, candidate.resolveSibling("keytool.exe"))) {
                if (Files.isExecutable(file)) {
                    return file;
                }
            }
        }
        throw new BurstException("Cannot find keytool (tried " + tried + "); the scheduler needs a full JDK"
                + " or a runtime that includes keytool to generate its TLS key");
    }

    private static String subjectAlternativeNames() {
        StringBuilder names = new StringBuilder("dns:localhost,ip:127.0.0.1");
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (DNS_NAME.matcher(host).matches() && !host.equalsIgnoreCase("localhost")) {
                names.append(",dns:").append(host);
            }
        } catch (IOException e) {
            // no usable host name: the certificate is pinned, so the SAN is informational anyway
        }
        return names.toString();
    }

    // ---- private files ------------------------------------------------------------------------

    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (posix(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
        } else {
            Files.createDirectories(dir);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        if (posix(file)) {
            Files.setPosixFilePermissions(file, OWNER_RW);
        }
    }

    /** Writes a file only its owner can read, atomically (readers never see half a token). */
    static void writePrivate(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp-" + newToken().substring(0, 8));
        try {
            FileAttribute<?>[] attributes = posix(file)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_RW)}
                    : new FileAttribute<?>[0];
            Files.createFile(temp, attributes);
            restrictToOwner(temp); // the umask may have narrowed, never widened, but be exact
            Files.write(temp, content);
            move(temp, file);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
