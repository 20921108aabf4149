/**
 * The gateway's one port: a TCP proxy that reads the server name (SNI) from each connection's TLS
 * ClientHello and passes the connection through, still encrypted, to the cluster scheduler or
 * worker a {@link dev.burst.internal.gateway.proxy.RouteTable} names, or to the gateway's own
 * HTTPS server with a PROXY protocol header ({@link dev.burst.internal.gateway.proxy.SniProxy});
 * the ClientHello parser it routes with ({@link dev.burst.internal.gateway.proxy.ClientHelloParser}).
 *
 * <p>Never terminates TLS and holds no keys. Must not depend on the gateway's REST server, its
 * database or its cluster records: those decide routes and hand them in through {@code RouteTable}.
 * Uses the JDK and SLF4J only.
 */
package dev.burst.internal.gateway.proxy;
