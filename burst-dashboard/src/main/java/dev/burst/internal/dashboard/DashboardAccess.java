package dev.burst.internal.dashboard;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Who may see a dashboard: whoever holds its token, as with Jupyter. The link carries it once
 * ({@code ?token=}); the dashboard answers with an HttpOnly, SameSite=Strict cookie and a redirect
 * to the same page without it, so the token leaves the address bar and the history. Scrapers send
 * {@code Authorization: Bearer <token>}. Tokens are compared in constant time.
 */
final class DashboardAccess {
    static final String COOKIE = "burst-dashboard";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] token;
    private final String tokenText;

    DashboardAccess(String token) {
        this.tokenText = token;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** A fresh random 256-bit token. */
    static DashboardAccess withNewToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return new DashboardAccess(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    String token() {
        return tokenText;
    }

    private boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Lets the request through, or answers it: a right token in the link sets the cookie and
     * redirects; a wrong or missing one gets 401 with a page saying where the link is printed.
     *
     * @return whether the request may go on
     */
    boolean admit(Context ctx) {
        String inLink = ctx.queryParam("token");
        if (inLink != null) {
            if (!matches(inLink)) {
                refuse(ctx, "this link's token is not this dashboard's (the cluster restarted, or the link is another cluster's)");
                return false;
            }
            Cookie c = new Cookie(COOKIE, tokenText);
            c.setHttpOnly(true);
            c.setSameSite(SameSite.STRICT);
            c.setPath("/");
            ctx.cookie(c);
            ctx.redirect(ctx.path());
            return false;
        }
        String header = ctx.header("Authorization");
        if (matches(ctx.cookie(COOKIE)) || (header != null && header.startsWith("Bearer ") && matches(header.substring(7).strip()))) {
            return true;
        }
        refuse(ctx, "no dashboard token: open the link the cluster printed (it carries the token), or send "
                + "'Authorization: Bearer <token>'");
        return false;
    }

    private static void refuse(Context ctx, String why) {
        ctx.status(401);
        if (ctx.path().equals("/metrics") || ctx.path().startsWith("/api/") || ctx.path().equals("/events")) {
            ctx.contentType("text/plain; charset=utf-8").result(why + "\n");
        } else {
            ctx.contentType("text/html; charset=utf-8").result(DashboardPages.refused(why));
        }
    }
}
