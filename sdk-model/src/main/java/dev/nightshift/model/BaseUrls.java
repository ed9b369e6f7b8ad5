package dev.nightshift.model;

import dev.nightshift.api.ValidationException;
import java.net.URI;
import java.net.URISyntaxException;

/** Checks and normalises provider base URLs without ever echoing credentials or query strings. */
final class BaseUrls {
    private BaseUrls() {
    }

    /**
     * Checks a base URL and returns it normalised: without a trailing slash, with {@code /v1}
     * appended when it has no path (every provider here serves its API under {@code /v1}).
     *
     * @param where what the URL is, for the message (a variable name or "the base URL after '@'")
     */
    static String check(String url, String where) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ValidationException(where + " is not a valid URL; expected http(s)://HOST[:PORT]/v1");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new ValidationException(where + " must start with http:// or https://");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ValidationException(where + " must not hold credentials (user:password@); "
                    + "put the key in the provider's API key variable");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ValidationException(where + " has no host; expected http(s)://HOST[:PORT]/v1");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ValidationException(where + " must not have a query or fragment ("
                    + scheme + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + "…)");
        }
        String s = url;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        String path = uri.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            s = s + "/v1";
        }
        return s;
    }
}
