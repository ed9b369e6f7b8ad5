package dev.nightshift.store.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a libpq-style URL ({@code postgresql://[user[:password]@]host[:port]/database[?...]})
 * into a {@link PostgresAgentStore.Builder}, for {@link PostgresAgentStore#fromUrl}. A password
 * never reaches a message: a bad URL is reported {@linkplain #masked masked}.
 */
final class PostgresUrl {
    private PostgresUrl() {
    }

    static PostgresAgentStore.Builder parse(String url, Map<String, String> environment) {
        Objects.requireNonNull(url, "url");
        if (url.startsWith("jdbc:postgresql://")) {
            return withEnvironmentPassword(PostgresAgentStore.builder(url), environment);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a PostgreSQL URL: " + masked(url)
                    + " (postgresql://user[:password]@host[:port]/database)");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("a PostgreSQL store needs a postgresql:// URL, not " + masked(url));
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (uri.getHost() == null || path.length() < 2) {
            throw new IllegalArgumentException("a PostgreSQL URL needs a host and a database: " + masked(url)
                    + " (postgresql://user[:password]@host[:port]/database)");
        }
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        if (query.contains("password=")) {
            throw new IllegalArgumentException("give the password before the host (postgresql://user:password@host/db)"
                    + " or in NIGHTSHIFT_STORE_PASSWORD, not as a parameter: " + masked(url));
        }
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
        PostgresAgentStore.Builder b = PostgresAgentStore.builder(
                "jdbc:postgresql://" + host + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path + query);
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            b = b.user(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
            if (colon >= 0) {
                return b.password(decode(userInfo.substring(colon + 1)));
            }
        }
        return withEnvironmentPassword(b, environment);
    }

    private static PostgresAgentStore.Builder withEnvironmentPassword(PostgresAgentStore.Builder b,
            Map<String, String> environment) {
        String password = environment.get("NIGHTSHIFT_STORE_PASSWORD");
        if (password == null || password.isEmpty()) {
            password = environment.get("PGPASSWORD");
        }
        return password == null || password.isEmpty() ? b : b.password(password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** {@code url} with the password of its user part (and of any {@code password=} parameter) replaced by {@code ***}. */
    static String masked(String url) {
        String out = url.replaceAll("(?i)(password=)[^&]*", "$1***");
        int scheme = out.indexOf("://");
        int at = out.lastIndexOf('@');
        if (scheme >= 0 && at > scheme) {
            int colon = out.indexOf(':', scheme + 3);
            if (colon >= 0 && colon < at) {
                out = out.substring(0, colon + 1) + "***" + out.substring(at);
            }
        }
        return out;
    }
}
