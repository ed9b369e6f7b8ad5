package dev.nightshift.git.internal;

import dev.nightshift.api.ValidationException;
import dev.nightshift.common.Hashing;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A git remote as Nightshift uses it: a URL that never carries credentials, and the key its
 * host mirror is filed under.
 *
 * <p>Accepted spellings: {@code https://host/org/repo(.git)}, {@code http://}, {@code ssh://},
 * {@code git://}, {@code file:///path}, an absolute path, scp-like {@code git@host:org/repo},
 * and the short form of {@code repositoryDependencies}, {@code host.tld/org/repo} (https).
 * A URL with a password in it is refused: credentials come from {@code GitCredentials} only.
 *
 * <p>Thread-safety: immutable. Lifecycle: a value.
 *
 * @param uri the URL to fetch from and push to, without a password
 * @param key the normalised form (lower-case scheme and host, no trailing {@code /} or
 *     {@code .git}): equal for every spelling of one remote
 */
public record Remote(URI uri, String key) {
    private static final Pattern SCP = Pattern.compile("^([A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):(?!//)(.+)$");
    private static final Pattern SHORT = Pattern.compile("^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+(:[0-9]+)?/.+$");

    /** Parses {@code repository}; a malformed value or one holding a password is a {@link ValidationException}. */
    public static Remote parse(String repository) {
        if (repository == null || repository.isBlank()) {
            throw new ValidationException("repository: a git remote URL is required");
        }
        String s = repository.strip();
        if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new ValidationException("repository: control characters are not allowed in a remote URL");
        }
        URI uri;
        try {
            if (s.startsWith("/")) {
                uri = Path.of(s).toAbsolutePath().normalize().toUri();
            } else if (s.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
                uri = new URI(s);
            } else if (SHORT.matcher(s).matches()) {
                uri = new URI("https://" + s);
            } else if (SCP.matcher(s).matches()) {
                var m = SCP.matcher(s);
                m.matches();
                String user = m.group(1) == null ? "" : m.group(1);
                String path = m.group(3).startsWith("/") ? m.group(3) : "/" + m.group(3);
                uri = new URI("ssh://" + user + m.group(2) + path);
            } else {
                throw new ValidationException("repository: not a git remote URL: " + redact(s)
                        + " (use https://host/org/repo, ssh://, file:///path or an absolute path)");
            }
        } catch (URISyntaxException e) {
            throw new ValidationException("repository: not a valid URL: " + redact(s));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "https", "http", "ssh", "git", "file" -> { }
            default -> throw new ValidationException("repository: unsupported URL scheme '" + scheme + "' in "
                    + redact(s) + " (https, http, ssh, git and file are supported)");
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && (userInfo.contains(":") || scheme.startsWith("http"))) {
            throw new ValidationException("repository: " + redact(s) + " carries credentials in the URL; "
                    + "remove them and supply them through GitCredentials");
        }
        if (!"file".equals(scheme) && (uri.getHost() == null || uri.getHost().isEmpty())) {
            throw new ValidationException("repository: no host in " + redact(s));
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ValidationException("repository: a query or fragment is not allowed in " + redact(s));
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.isEmpty() || "/".equals(path)) {
            throw new ValidationException("repository: no repository path in " + redact(s));
        }
        String keyPath = path.replaceAll("/+$", "");
        if (keyPath.endsWith(".git")) {
            keyPath = keyPath.substring(0, keyPath.length() - 4);
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String user = userInfo == null ? "" : userInfo + "@";
        String key = scheme + "://" + user + host + port + keyPath;
        return new Remote(uri, key);
    }

    /** The URL as git and JGit take it. */
    public String url() {
        return uri.toString();
    }

    /** The URL as {@code GitCredentials} is asked about it: without any user info. */
    public URI credentialUri() {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether this is a repository on the local disk. */
    public boolean isLocal() {
        return "file".equalsIgnoreCase(uri.getScheme());
    }

    /** A file-system friendly, collision-free name for this remote's mirror. */
    public String mirrorName() {
        String readable = key.replaceFirst("^[a-z]+://", "").replaceAll("[^A-Za-z0-9._-]+", "_");
        if (readable.length() > 60) {
            readable = readable.substring(readable.length() - 60);
        }
        readable = readable.replaceAll("^[._-]+", "");
        return readable + "-" + sha256(key).substring(0, 12);
    }

    /** The last path segment without {@code .git}: {@code github.com/org/repo} gives {@code repo}. */
    public String shortName() {
        String k = key.substring(key.lastIndexOf('/') + 1);
        return k.isEmpty() ? "repository" : k;
    }

    /** Resolves a submodule URL ({@code ../sibling.git} or absolute) against this remote. */
    public Remote resolve(String submoduleUrl) {
        if (submoduleUrl.startsWith("./") || submoduleUrl.startsWith("../")) {
            String base = uri.toString().replaceAll("/+$", "") + "/";
            return parse(URI.create(base).resolve(submoduleUrl).toString());
        }
        return parse(submoduleUrl);
    }

    /** {@code text} with any user info of a URL in it replaced by {@code ***}. */
    public static String redact(String text) {
        return text.replaceAll("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]*@", "$1***@");
    }

    static String sha256(String s) {
        return Hashing.sha256Hex(s);
    }

    @Override
    public String toString() {
        return key;
    }
}
