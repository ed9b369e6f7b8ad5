package dev.nightshift.core;

import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.common.DaemonThreads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready-made {@link GitCredentials} for what a user already has: tokens in environment variables
 * (CI), and their own git credential helper ({@code gh auth}, a keychain). Stored credentials
 * come from {@link dev.nightshift.secrets.GitCredentialStore}; chain sources with
 * {@link GitCredentials#firstOf(List)}.
 *
 * <p><b>Thread-safety:</b> the sources are thread-safe. <b>Lifecycle:</b> static factories.
 *
 * <pre>{@code
 * GitCredentials creds = GitCredentials.firstOf(List.of(
 *         GitCredentialSources.environment(System.getenv()),
 *         stored.credentials(SecretContext.of(user)),
 *         GitCredentialSources.gitCredentialHelper(Duration.ofSeconds(30))));
 * }</pre>
 */
public final class GitCredentialSources {
    /** The variable prefix of per-host tokens: {@code NIGHTSHIFT_GIT_TOKEN_GITHUB_COM}. */
    public static final String TOKEN_VARIABLE = "NIGHTSHIFT_GIT_TOKEN";
    /** The variable prefix of per-host user names: {@code NIGHTSHIFT_GIT_USERNAME_GITHUB_COM}. */
    public static final String USERNAME_VARIABLE = "NIGHTSHIFT_GIT_USERNAME";

    private static final Logger LOG = LoggerFactory.getLogger(GitCredentialSources.class);

    private GitCredentialSources() {
    }

    /**
     * Tokens from environment variables, one per host: {@code NIGHTSHIFT_GIT_TOKEN_<HOST>} where
     * {@code <HOST>} is the host name upper-cased with every character but a letter or digit as
     * {@code _} ({@code github.com} gives {@code NIGHTSHIFT_GIT_TOKEN_GITHUB_COM}); a host with a
     * port is looked up with the port first ({@code NIGHTSHIFT_GIT_TOKEN_GIT_EXAMPLE_COM_8443}).
     * The user name is {@code NIGHTSHIFT_GIT_USERNAME_<HOST>} when set, else the host's token
     * convention ({@link GitCredential#tokenUsername(String)}). For {@code https}/{@code http}
     * remotes only. A bare {@code NIGHTSHIFT_GIT_TOKEN} (no host) is never used: a token offered to
     * every host would go to any host a repository's dependencies name; see
     * {@link #ignoredVariables(Map)}.
     */
    public static GitCredentials environment(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        return remote -> {
            String scheme = remote.getScheme() == null ? "" : remote.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || remote.getHost() == null) {
                return Optional.empty();
            }
            for (String suffix : suffixes(remote)) {
                String token = copy.get(TOKEN_VARIABLE + "_" + suffix);
                if (token != null && !token.isEmpty()) {
                    String user = copy.get(USERNAME_VARIABLE + "_" + suffix);
                    return Optional.of(user == null || user.isEmpty() ? GitCredential.token(remote.getHost(), token)
                            : GitCredential.basic(user, token));
                }
            }
            return Optional.empty();
        };
    }

    /** The name of the token variable for {@code host} (and {@code port}, or -1). */
    public static String tokenVariable(String host, int port) {
        return TOKEN_VARIABLE + "_" + variableSuffix(host) + (port >= 0 ? "_" + port : "");
    }

    /** Variables of {@code env} that look meant for {@link #environment(Map)} but are not read by it, with why. */
    public static List<String> ignoredVariables(Map<String, String> env) {
        return env.containsKey(TOKEN_VARIABLE)
                ? List.of(TOKEN_VARIABLE + " is not read: a token for every host would reach any host a repository"
                        + " names; set it per host, e.g. " + tokenVariable("github.com", -1))
                : List.of();
    }

    private static List<String> suffixes(URI remote) {
        String host = variableSuffix(remote.getHost());
        return remote.getPort() >= 0 ? List.of(host + "_" + remote.getPort(), host) : List.of(host);
    }

    private static String variableSuffix(String host) {
        return host.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /**
     * The user's own git credential helper, asked through {@code git credential fill} on the host
     * (with prompts off, so it never waits for a terminal) for {@code https}/{@code http}
     * remotes; empty when git is missing, the helper has nothing, or it takes longer than
     * {@code timeout}. Nothing the helper prints is logged.
     */
    public static GitCredentials gitCredentialHelper(Duration timeout) {
        return gitCredentialHelper(timeout, Map.of());
    }

    /** {@link #gitCredentialHelper(Duration)} with variables set for git (tests: {@code HOME}). */
    static GitCredentials gitCredentialHelper(Duration timeout, Map<String, String> environment) {
        Objects.requireNonNull(timeout, "timeout");
        Map<String, String> env = Map.copyOf(environment);
        return remote -> fill(remote, timeout, env);
    }

    private static Optional<GitCredential> fill(URI remote, Duration timeout, Map<String, String> env) {
        String scheme = remote.getScheme() == null ? "" : remote.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || remote.getHost() == null) {
            return Optional.empty();
        }
        String host = remote.getHost() + (remote.getPort() >= 0 ? ":" + remote.getPort() : "");
        String path = remote.getPath() == null ? "" : remote.getPath().replaceFirst("^/+", "");
        String request = "protocol=" + scheme + "\nhost=" + host + "\n" + (path.isEmpty() ? "" : "path=" + path + "\n")
                + "\n";
        ProcessBuilder pb = new ProcessBuilder("git", "-c", "credential.interactive=false", "credential", "fill");
        pb.environment().putAll(env);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().put("GIT_ASKPASS", "true");
        pb.environment().put("SSH_ASKPASS", "true");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            LOG.debug("no git credential helper: cannot run git ({})", e.getClass().getSimpleName());
            return Optional.empty();
        }
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(request.getBytes(StandardCharsets.UTF_8));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = DaemonThreads.daemon(() -> copy(p.getInputStream(), out), "nightshift-git-credential-fill");
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                LOG.warn("git credential fill for {} gave no answer within {}; going on without it", host, timeout);
                return Optional.empty();
            }
            reader.join(timeout.toMillis());
            if (p.exitValue() != 0) {
                LOG.debug("git credential fill for {} had nothing (exit {})", host, p.exitValue());
                return Optional.empty();
            }
            String user = null;
            String password = null;
            synchronized (out) {
                for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                    if (line.startsWith("username=")) {
                        user = line.substring("username=".length());
                    } else if (line.startsWith("password=")) {
                        password = line.substring("password=".length());
                    }
                }
            }
            if (password == null || password.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(GitCredential.basic(user == null || user.isEmpty()
                    ? GitCredential.tokenUsername(remote.getHost()) : user, password));
        } catch (IOException e) {
            LOG.debug("git credential fill for {} failed: {}", host, e.getClass().getSimpleName());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return Optional.empty();
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[4096];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }
}
