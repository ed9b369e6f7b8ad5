package dev.nightshift.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Git credentials kept in a {@link SecretStore} (so encrypted at rest like every secret), one per
 * owner, transport and <em>prefix</em>: a host ({@code github.com}, {@code 127.0.0.1:8443}), or a
 * host and the start of a path ({@code github.com/acme}, {@code github.com/acme/shop}).
 *
 * <p>Resolution ({@link #credentials(SecretContext)}): for a remote
 * {@code https://github.com/acme/shop.git} the candidates are {@code github.com/acme/shop},
 * {@code github.com/acme} and {@code github.com} (each first with the URL's port, if it has one);
 * the longest stored prefix wins, and for one prefix a team's credential overrides the user's
 * (the order of {@link SecretScope}). {@code https}/{@code http} remotes get
 * {@link GitCredential.Type#PASSWORD} credentials, {@code ssh} remotes
 * {@link GitCredential.Type#SSH_KEY} ones; a credential never answers for another host, so a
 * repository that names a dependency elsewhere cannot collect it. The owner is a
 * {@link SecretContext}: a CLI passes the OS user, a service the owner of the API key that
 * spawned the agent, so two owners' credentials never mix: one engine serves several owners with
 * {@code Nightshift.Builder.agentGitCredentials}, which chooses each agent's credentials from its
 * stored request (a {@code NightshiftServer} by the key's owner).
 *
 * <p>Records are secrets of kind {@link SecretKind#GIT_CREDENTIAL}, named
 * {@code GIT_HTTP_<prefix>} or {@code GIT_SSH_<prefix>} (the prefix with every character but a
 * letter or digit as {@code _XX} hex); the store never hands them out as environment variables.
 *
 * <p><b>Thread-safety:</b> thread-safe, as the store is; credentials are read from the store at
 * every lookup, so a rotated token takes effect at once. <b>Lifecycle:</b> a view of the store;
 * closing the store is its owner's business.
 *
 * <pre>{@code
 * GitCredentialStore creds = new GitCredentialStore(SecretStore.open(root, LocalKms.openDefault(root)));
 * creds.set(SecretScope.USER, "alice", "github.com", GitCredential.token("github.com", token));
 * Nightshift.builder().gitCredentials(creds.credentials(SecretContext.of("alice")));
 * }</pre>
 */
public final class GitCredentialStore {
    private static final String HTTP = "GIT_HTTP_";
    private static final String SSH = "GIT_SSH_";
    private static final Pattern PREFIX = Pattern.compile(
            "[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*");

    private final SecretStore store;
    private final ObjectMapper json = new ObjectMapper();

    /** A view of {@code store}. */
    public GitCredentialStore(SecretStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** One stored credential, without its secret. */
    public record Entry(SecretScope scope, String owner, String prefix, GitCredential.Type type, String username,
            int hostKeys, int version) {
    }

    /**
     * Normalises a prefix as a user writes it: {@code https://GitHub.com/acme/} and
     * {@code github.com/acme.git} give {@code github.com/acme}; a scheme, user info, query or
     * anything but a host, port and path is a {@link ValidationException}.
     */
    public static String prefix(String given) {
        if (given == null || given.isBlank()) {
            throw new ValidationException("a git credential needs a host (github.com) or host/org prefix");
        }
        String s = given.strip().replaceFirst("^[A-Za-z][A-Za-z0-9+.-]*://", "");
        if (s.contains("@")) {
            throw new ValidationException("git credential prefix '" + s.replaceAll("^[^@]*@", "***@")
                    + "' holds user info; give the host (and path) only, the user with --username");
        }
        s = s.replaceAll("/+$", "");
        if (s.endsWith(".git")) {
            s = s.substring(0, s.length() - 4);
        }
        int slash = s.indexOf('/');
        String host = (slash < 0 ? s : s.substring(0, slash)).toLowerCase(Locale.ROOT);
        s = host + (slash < 0 ? "" : s.substring(slash));
        if (!PREFIX.matcher(s).matches()) {
            throw new ValidationException("git credential prefix '" + s + "' is not a host[:port][/path] "
                    + "(e.g. github.com, gitlab.example.com:8443, github.com/acme)");
        }
        return s;
    }

    /** Stores {@code credential} for {@code prefix} (replacing the one stored before, which stays as an old version). */
    public Entry set(SecretScope scope, String owner, String prefix, GitCredential credential) {
        String p = prefix(prefix);
        if (credential.secret().isEmpty()) {
            throw new ValidationException("the git credential for " + p + " is empty");
        }
        ObjectNode r = json.createObjectNode();
        r.put("prefix", p);
        r.put("type", credential.type().name());
        r.put("username", credential.username());
        r.put("secret", credential.secret());
        r.put("passphrase", credential.passphrase());
        credential.hostKeys().forEach(r.putArray("hostKeys")::add);
        if (!r.has("hostKeys")) {
            r.putArray("hostKeys");
        }
        String value;
        try {
            value = json.writeValueAsString(r);
        } catch (IOException e) {
            throw new NightshiftException("cannot encode the git credential for " + p, e);
        }
        var v = store.set(scope, owner, name(credential.type(), p), SecretKind.GIT_CREDENTIAL, value);
        return new Entry(scope, owner, p, credential.type(), credential.username(), credential.hostKeys().size(),
                v.version());
    }

    /** The credentials of an owner (never their secrets), by prefix. */
    public List<Entry> list(SecretScope scope, String owner) {
        List<Entry> out = new ArrayList<>();
        for (var v : store.list(scope, owner)) {
            if (v.kind() != SecretKind.GIT_CREDENTIAL) {
                continue;
            }
            store.get(scope, owner, v.name()).ifPresent(s -> {
                JsonNode r = parse(s);
                out.add(new Entry(scope, owner, r.path("prefix").asText(), type(r), r.path("username").asText(),
                        r.path("hostKeys").size(), s.version()));
            });
        }
        out.sort(java.util.Comparator.comparing(Entry::prefix).thenComparing(Entry::type));
        return out;
    }

    /**
     * Removes the credentials for {@code prefix} ({@code type} null: both transports); returns
     * how many were removed, and throws {@link NotFoundException} when there was none.
     */
    public int remove(SecretScope scope, String owner, String prefix, GitCredential.Type type) {
        String p = prefix(prefix);
        int n = 0;
        for (GitCredential.Type t : GitCredential.Type.values()) {
            if (type != null && t != type) {
                continue;
            }
            String name = name(t, p);
            if (store.get(scope, owner, name).isPresent()) {
                store.delete(scope, owner, name);
                n++;
            }
        }
        if (n == 0) {
            throw new NotFoundException("no git credential for " + p + " (" + scope.name().toLowerCase(Locale.ROOT)
                    + " " + owner + ")");
        }
        return n;
    }

    /**
     * The stored credential for {@code remote} that {@code owner} sees (see the class comment),
     * looked up anew at every call.
     */
    public GitCredentials credentials(SecretContext owner) {
        Objects.requireNonNull(owner, "owner");
        return remote -> lookup(owner, remote);
    }

    private Optional<GitCredential> lookup(SecretContext owner, URI remote) {
        String scheme = remote.getScheme() == null ? "" : remote.getScheme().toLowerCase(Locale.ROOT);
        GitCredential.Type type = switch (scheme) {
            case "https", "http" -> GitCredential.Type.PASSWORD;
            case "ssh" -> GitCredential.Type.SSH_KEY;
            default -> null;
        };
        if (type == null || remote.getHost() == null) {
            return Optional.empty();
        }
        for (String candidate : candidates(remote)) {
            String name = name(type, candidate);
            Optional<Secret> found = Optional.empty();
            for (SecretScope scope : List.of(SecretScope.TEAM, SecretScope.USER)) {
                Optional<String> o = owner.owner(scope);
                if (o.isPresent()) {
                    found = store.get(scope, o.get(), name).filter(s -> s.kind() == SecretKind.GIT_CREDENTIAL);
                    if (found.isPresent()) {
                        break;
                    }
                }
            }
            if (found.isPresent()) {
                JsonNode r = parse(found.get());
                List<String> keys = new ArrayList<>();
                r.path("hostKeys").forEach(k -> keys.add(k.asText()));
                return Optional.of(new GitCredential(r.path("username").asText(), r.path("secret").asText(), type(r),
                        r.path("passphrase").asText(""), keys));
            }
        }
        return Optional.empty();
    }

    /** The prefixes {@code remote} matches, longest first. */
    static List<String> candidates(URI remote) {
        String host = remote.getHost().toLowerCase(Locale.ROOT);
        String path = remote.getPath() == null ? "" : remote.getPath().replaceAll("/+$", "");
        if (path.endsWith(".git")) {
            path = path.substring(0, path.length() - 4);
        }
        List<String> segments = new ArrayList<>();
        for (String seg : path.split("/")) {
            if (!seg.isEmpty()) {
                segments.add(seg);
            }
        }
        List<String> out = new ArrayList<>();
        for (int n = segments.size(); n >= 0; n--) {
            String suffix = n == 0 ? "" : "/" + String.join("/", segments.subList(0, n));
            if (remote.getPort() >= 0) {
                out.add(host + ":" + remote.getPort() + suffix);
            }
            out.add(host + suffix);
        }
        return out;
    }

    /** The secret name of a prefix: letters and digits kept, everything else {@code _XX}. */
    static String name(GitCredential.Type type, String prefix) {
        StringBuilder b = new StringBuilder(type == GitCredential.Type.SSH_KEY ? SSH : HTTP);
        for (byte x : prefix.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                b.append((char) c);
            } else {
                b.append('_').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        if (b.length() > SecretRules.MAX_NAME_LENGTH) {
            throw new ValidationException("git credential prefix '" + prefix + "' is too long; use a shorter prefix");
        }
        return b.toString();
    }

    private JsonNode parse(Secret s) {
        try {
            JsonNode r = json.readTree(s.value());
            if (r == null || !r.isObject() || !r.path("secret").isTextual()) {
                throw new IOException("not a git credential record");
            }
            return r;
        } catch (IOException e) {
            // the message never holds the value
            throw new NightshiftException("secret " + s.coordinates() + " is not a git credential record;"
                    + " set it again with `nightshift git-credentials set`");
        }
    }

    private static GitCredential.Type type(JsonNode r) {
        try {
            return GitCredential.Type.valueOf(r.path("type").asText());
        } catch (IllegalArgumentException e) {
            return GitCredential.Type.PASSWORD;
        }
    }

    @Override
    public String toString() {
        return "GitCredentialStore[" + store.directory() + "]";
    }
}
