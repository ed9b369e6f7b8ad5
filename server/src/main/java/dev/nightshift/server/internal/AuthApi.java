package dev.nightshift.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nightshift.server.ApiKeys;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code POST /auth/exchange_user_api_key}: the exchange {@code @cursor/sdk} performs once per
 * key. Answers a short-lived access token signed with a key made at server start (HMAC-SHA256
 * over the key's name and expiry); the v1 API itself takes the API key, so the token only
 * satisfies the client. Every other path here is a 404.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: lives with the server.
 */
public final class AuthApi extends ApiBase {
    private static final long serialVersionUID = 1L;
    private static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
    private final byte[] signingKey = new byte[32];

    public AuthApi(ApiKeys keys, RateLimiter limiter, int maxBodyBytes) {
        super(keys, limiter, maxBodyBytes);
        new SecureRandom().nextBytes(signingKey);
    }

    @Override
    protected JsonNode route(HttpServletRequest req, HttpServletResponse resp, ApiKeys.ApiKey key) throws IOException {
        if (!"POST".equals(req.getMethod()) || !req.getRequestURI().equals("/auth/exchange_user_api_key")) {
            throw ApiError.notFound("no such endpoint: " + req.getMethod() + " " + req.getRequestURI());
        }
        body(req, true);
        Instant expires = Instant.now().plus(TOKEN_LIFETIME);
        String claims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"" + key.name() + "\",\"exp\":" + expires.getEpochSecond() + "}")
                        .getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            String signature = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(claims.getBytes(StandardCharsets.US_ASCII)));
            return JSON.createObjectNode().put("accessToken", claims + "." + signature)
                    .put("expiresAt", expires.toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
