package dev.nightshift.core.internal;

import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.secrets.Redactor;
import dev.nightshift.secrets.SecretStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The secrets of one build or one agent, merged across scopes: for each name the secret of the
 * latest scope wins ({@code USER < TEAM < ENVIRONMENT < AGENT}), whatever its kind. It answers
 * what the engine needs: the environment variables of a {@link Phase}, the {@link #redactor()}
 * for everything recorded (which is also the push guard's detector), and the build secrets'
 * versions for the build cache key. The engine's policy, so it lives here; sdk-secrets gives the
 * rules a secret must follow ({@link SecretStore#check}) and the redaction ({@link Redactor}).
 *
 * <p>Redaction is wider than injection: every runtime and build value of every scope is redacted,
 * also one a later scope overrode, since the overridden value may still turn up in output.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe. <b>Lifecycle:</b> resolved once when a build
 * or an agent starts ({@link #resolve(SecretProvider, SecretContext)}); a running agent keeps the
 * values it started with. It holds the plaintext values in memory while reachable.
 *
 * <pre>{@code
 * ResolvedSecrets s = ResolvedSecrets.resolve(provider, SecretContext.of(user).withAgent(id));
 * Map<String, String> env = s.env(ResolvedSecrets.Phase.AGENT);      // install, start, terminals, commands
 * String line = s.redactor().redact(rawLine);
 * }</pre>
 */
final class ResolvedSecrets {

    /** Where secrets are injected. */
    public enum Phase {
        /** The Dockerfile build and the build's {@code install}: ENV, RUNTIME and BUILD secrets. */
        BUILD,
        /** An agent's machine (install, start, terminals, commands): ENV and RUNTIME, never BUILD. */
        AGENT;

        /** Whether a secret of {@code kind} is injected in this phase. */
        public boolean admits(SecretKind kind) {
            return kind == SecretKind.BUILD ? this == BUILD : kind.reachesAgentMachine();
        }
    }

    private static final ResolvedSecrets NONE = new ResolvedSecrets(List.of());

    /** Winner per name, in name order. */
    private final SortedMap<String, Secret> effective;
    private final Redactor redactor;
    private final Set<String> valuesToRedact;

    private ResolvedSecrets(Collection<Secret> all) {
        List<Secret> ordered = new ArrayList<>(all);
        ordered.sort(Comparator.comparing(Secret::scope));
        SortedMap<String, Secret> winners = new TreeMap<>();
        Map<String, String> redacted = new LinkedHashMap<>();
        for (Secret s : ordered) {
            SecretStore.check(s);
            Secret previous = winners.get(s.name());
            if (previous != null && previous.scope() == s.scope()) {
                throw new IllegalArgumentException("two secrets named " + s.name() + " in scope " + s.scope()
                        + ": " + previous.coordinates() + " and " + s.coordinates());
            }
            winners.put(s.name(), s);
        }
        // the winner of a name is labelled by its name; an overridden value by name and scope
        for (Secret s : ordered) {
            if (s.kind().redacted()) {
                redacted.put(winners.get(s.name()) == s ? s.name()
                        : s.name() + " (" + s.scope() + ", overridden)", s.value());
            }
        }
        this.effective = Collections.unmodifiableSortedMap(winners);
        this.redactor = Redactor.of(redacted);
        this.valuesToRedact = Collections.unmodifiableSet(new TreeSet<>(redacted.values()));
    }

    /** Merges {@code secrets} (at most one per scope and name; each checked by {@link SecretStore#check}). */
    public static ResolvedSecrets of(Collection<Secret> secrets) {
        return secrets.isEmpty() ? NONE : new ResolvedSecrets(secrets);
    }

    /** Asks {@code provider} for what {@code context} sees, and merges it. */
    public static ResolvedSecrets resolve(SecretProvider provider, SecretContext context) {
        return of(provider.secrets(context));
    }

    /** No secrets at all. */
    public static ResolvedSecrets none() {
        return NONE;
    }

    /** The secret that wins for each name, by name. */
    public SortedMap<String, Secret> effective() {
        return effective;
    }

    /** The environment variables of {@code phase}: name to value, for the winning secret of each name the phase admits. */
    public Map<String, String> env(Phase phase) {
        Map<String, String> out = new TreeMap<>();
        for (Secret s : effective.values()) {
            if (phase.admits(s.kind())) {
                out.put(s.name(), s.value());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The one redactor for everything Nightshift records: every runtime and build value of every scope. */
    public Redactor redactor() {
        return redactor;
    }

    /** The values {@link #redactor()} replaces (without their encoded forms). */
    public Set<String> valuesToRedact() {
        return valuesToRedact;
    }

    /**
     * For the pre-push guard: finds runtime and build values (and encodings) in a diff, a commit
     * message or a file's bytes; the redactor itself, whose names are the guard's findings.
     */
    public Redactor pushGuard() {
        return redactor;
    }

    /**
     * What the build secrets contribute to the build cache key: name to
     * {@code SCOPE/owner/vN} of the winning build secret, never the value. A new version (or a
     * secret from another scope) changes the key.
     */
    public SortedMap<String, String> buildSecretVersions() {
        SortedMap<String, String> out = new TreeMap<>();
        for (Secret s : effective.values()) {
            if (s.kind() == SecretKind.BUILD) {
                out.put(s.name(), s.scope() + "/" + s.owner() + "/v" + s.version());
            }
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /** The scope each injected name comes from (for diagnostics; no values). */
    public SortedMap<String, SecretScope> sources() {
        SortedMap<String, SecretScope> out = new TreeMap<>();
        effective.forEach((n, s) -> out.put(n, s.scope()));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ResolvedSecrets[");
        effective.values().forEach(s -> b.append(s.name()).append('=').append(s.scope()).append(' ').append(s.kind())
                .append(" v").append(s.version()).append(", "));
        return b.append("values=****]").toString();
    }
}
