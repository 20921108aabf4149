package dev.burst.internal.gateway.server;

/** Where clients reach the gateway: the one public host and port, and whether it speaks TLS. */
record GatewayAddress(String host, int port, boolean tls) {
    String burstAddress() {
        return "burst://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    String url() {
        return (tls ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
