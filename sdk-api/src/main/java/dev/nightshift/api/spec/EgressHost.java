package dev.nightshift.api.spec;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One entry of an egress allowlist ({@code egressAllowlist}, the embedder's list, the default
 * list): a host name, or a wildcard over a domain.
 *
 * <p>The grammar (case-insensitive; stored in lower case):
 * <pre>
 * entry    = [ "*." ] hostname | ipv4
 * hostname = label *( "." label )          ; at most 253 characters
 * label    = 1*63( a-z / 0-9 / "-" ), not starting or ending with "-"
 * ipv4     = four decimal octets 0-255      ; no wildcard
 * </pre>
 * The last label of a host name is not all digits (that would be a malformed address). No
 * scheme, port, path, user, trailing dot or white space. {@code example.com} matches that host
 * only; {@code *.example.com} matches {@code example.com} and every name under it at any depth.
 * A bare {@code *}, {@code *example.com} or {@code a.*.com} are malformed.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * EgressHost h = EgressHost.parse("*.npmjs.org");
 * h.matches("registry.npmjs.org"); // true
 * EgressHost.problem("https://x.org"); // Optional["not a host name: ..."]
 * }</pre>
 *
 * @param domain the host or domain, in lower case, without the {@code *.} prefix
 * @param wildcard whether subdomains match too ({@code *.} was written)
 */
public record EgressHost(String domain, boolean wildcard) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    public EgressHost {
        Objects.requireNonNull(domain, "domain");
        String text = wildcard ? "*." + domain : domain;
        Optional<String> p = problem(text);
        if (p.isPresent()) {
            throw new IllegalArgumentException(p.get());
        }
        domain = domain.toLowerCase(Locale.ROOT);
    }

    /** Parses an entry; throws {@link IllegalArgumentException} saying what is wrong. */
    public static EgressHost parse(String entry) {
        Objects.requireNonNull(entry, "entry");
        Optional<String> p = problem(entry);
        if (p.isPresent()) {
            throw new IllegalArgumentException(p.get());
        }
        String lower = entry.toLowerCase(Locale.ROOT);
        return lower.startsWith("*.") ? new EgressHost(lower.substring(2), true) : new EgressHost(lower, false);
    }

    /**
     * What is wrong with {@code entry}, or empty when it follows the grammar. The message does
     * not repeat the entry.
     */
    public static Optional<String> problem(String entry) {
        if (entry == null || entry.isEmpty()) {
            return Optional.of("an empty host name");
        }
        String s = entry.toLowerCase(Locale.ROOT);
        if (s.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            return Optional.of("white space, control or non-ASCII characters in a host name"
                    + " (write internationalised names in their xn-- form)");
        }
        if (s.contains("/") || s.contains(":") || s.contains("@")) {
            return Optional.of("not a host name: no scheme, port, path or user (write e.g. example.com)");
        }
        boolean wildcard = s.startsWith("*.");
        String host = wildcard ? s.substring(2) : s;
        if (host.contains("*")) {
            return Optional.of(s.equals("*") ? "a bare '*' is not allowed; use egressMode allow_all for everything"
                    : "a wildcard is only allowed as the whole first label, as in *.example.com");
        }
        if (host.endsWith(".")) {
            return Optional.of("a host name must not end with '.'");
        }
        if (host.length() > 253) {
            return Optional.of("a host name is at most 253 characters long");
        }
        String[] labels = host.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) {
                return Optional.of("an empty label ('..' or a leading '.') in a host name");
            }
            if (!LABEL.matcher(label).matches()) {
                return Optional.of("a label of a host name has 1 to 63 letters, digits or '-', and does not start"
                        + " or end with '-'");
            }
        }
        if (DIGITS.matcher(labels[labels.length - 1]).matches()) {
            if (wildcard) {
                return Optional.of("a wildcard over an address is not allowed");
            }
            if (labels.length != 4) {
                return Optional.of("a malformed IPv4 address (four numbers 0-255)");
            }
            for (String label : labels) {
                if (!DIGITS.matcher(label).matches() || label.length() > 3 || Integer.parseInt(label) > 255) {
                    return Optional.of("a malformed IPv4 address (four numbers 0-255)");
                }
            }
        }
        return Optional.empty();
    }

    /** Whether a request to {@code host} matches this entry (case-insensitive, exact labels). */
    public boolean matches(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.equals(domain) || (wildcard && h.endsWith("." + domain));
    }

    /** Whether every host this entry matches is also matched by {@code other}. */
    public boolean coveredBy(EgressHost other) {
        if (other.wildcard) {
            return domain.equals(other.domain) || domain.endsWith("." + other.domain);
        }
        return !wildcard && domain.equals(other.domain);
    }

    /** The entry as written in a list: {@code *.example.com} or {@code example.com}. */
    @Override
    public String toString() {
        return wildcard ? "*." + domain : domain;
    }
}
