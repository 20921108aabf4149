package dev.burst.internal.transport;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server's one TLS identity (its key and certificate) handed to the TLS engine as they are.
 *
 * <p>Why not {@code SslContextBuilder.forServer(key, certificate)}: Netty then builds a PKCS12 key
 * store in memory, which encrypts the key with PBKDF2 at 10,000 iterations; in a JVM that has just
 * started, that runs interpreted and cost the scheduler about 0.3 s of every cluster's start, and
 * every worker process as much before it served its first result. The key never leaves this
 * process here, so there is nothing for that encryption to protect.
 */
final class IdentityKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "burst";
    private final PrivateKey key;
    private final X509Certificate[] chain;
    private final String keyType;

    IdentityKeyManager(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.chain = new X509Certificate[] {certificate};
        this.keyType = key.getAlgorithm();
    }

    @Override
    public String chooseServerAlias(String type, Principal[] issuers, Socket socket) {
        return matches(type) ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String type, Principal[] issuers, SSLEngine engine) {
        return matches(type) ? ALIAS : null;
    }

    /**
     * Whether the engine's key type is our key's: TLS 1.3 asks by algorithm ({@code EC}, {@code RSA}),
     * TLS 1.2 by key exchange and signature ({@code EC_EC}, {@code ECDHE_ECDSA}; {@code RSA},
     * {@code ECDHE_RSA} for RSA). Not {@code EC_RSA}: an EC key in an RSA-signed certificate, which
     * ours is not.
     */
    boolean matches(String type) {
        if (type == null) {
            return false;
        }
        return switch (keyType) {
            case "EC" -> type.equals("EC") || type.equals("EC_EC") || type.equals("ECDHE_ECDSA");
            case "RSA" -> type.equals("RSA") || type.equals("ECDHE_RSA") || type.equals("DHE_RSA");
            default -> type.equals(keyType);
        };
    }

    @Override
    public String[] getServerAliases(String type, Principal[] issuers) {
        return matches(type) ? new String[] {ALIAS} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    @Override
    public String[] getClientAliases(String type, Principal[] issuers) {
        return null; // a server identity: clients present none (they prove themselves with the cluster's token)
    }

    @Override
    public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) {
        return null;
    }
}
