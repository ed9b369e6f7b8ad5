package dev.nightshift.git.internal;

import dev.nightshift.api.ValidationException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;

/**
 * Branch names: {@code <prefix>/<slug>-<4 hex>} from a prompt, and validation of names chosen
 * by a caller or read from a repository (untrusted).
 *
 * <p>Thread-safety: thread-safe if the random source is. Lifecycle: a value holder.
 */
public final class BranchNames {
    static final int MAX_SLUG = 32;
    static final int MAX_NAME = 200;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._/-]+");
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "the", "and", "or", "to", "of", "in", "on",
            "for", "with", "please", "can", "could", "would", "you", "i", "we", "my", "our", "it", "is", "be",
            "this", "that", "me", "us", "so", "at", "by", "as", "into", "some", "just");

    private final String prefix;
    private final IntSupplier random;

    /**
     * @param prefix the branch prefix (validated)
     * @param random supplies the 16-bit suffixes
     */
    public BranchNames(String prefix, IntSupplier random) {
        this.prefix = validatePrefix(prefix);
        this.random = random;
    }

    public String prefix() {
        return prefix;
    }

    /** The slug for {@code prompt}: up to a few lower-case ASCII words joined by {@code -}, or {@code task}. */
    public static String slug(String prompt) {
        String folded = Normalizer.normalize(prompt == null ? "" : prompt, Normalizer.Form.NFKD)
                .replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT);
        List<String> all = new ArrayList<>();
        for (String w : folded.split("[^a-z0-9]+")) {
            if (!w.isEmpty()) {
                all.add(w);
            }
        }
        List<String> words = all.stream().filter(w -> !STOP_WORDS.contains(w)).toList();
        if (words.isEmpty()) {
            words = all;
        }
        StringBuilder slug = new StringBuilder();
        for (String w : words) {
            String word = w.length() > MAX_SLUG ? w.substring(0, MAX_SLUG) : w;
            if (slug.length() > 0 && slug.length() + 1 + word.length() > MAX_SLUG) {
                break;
            }
            if (slug.length() > 0) {
                slug.append('-');
            }
            slug.append(word);
        }
        return slug.length() == 0 ? "task" : slug.toString();
    }

    /** A fresh candidate for {@code prompt}. */
    public String candidate(String prompt) {
        return prefix + "/" + slug(prompt) + "-" + String.format(Locale.ROOT, "%04x", random.getAsInt() & 0xffff);
    }

    /**
     * Picks a name for {@code prompt} not in {@code taken} (and not clashing with one of them as
     * a directory), trying at most {@code attempts} candidates.
     */
    public String unique(String prompt, Set<String> taken, int attempts) {
        for (int i = 0; i < attempts; i++) {
            String c = candidate(prompt);
            if (!clashes(c, taken)) {
                return c;
            }
        }
        throw new IllegalStateException("no free branch name after " + attempts + " attempts under " + prefix + "/");
    }

    /** Whether {@code name} equals a taken branch or one is a directory of the other in refs. */
    public static boolean clashes(String name, Set<String> taken) {
        for (String t : taken) {
            if (t.equals(name) || t.startsWith(name + "/") || name.startsWith(t + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Validates a branch name chosen outside Nightshift; returns it unchanged when valid. */
    public static String validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new ValidationException("branch: the name is empty");
        }
        String shown = printable(name);
        String why = null;
        if (name.length() > MAX_NAME) {
            why = "longer than " + MAX_NAME + " characters";
        } else if (!ALLOWED.matcher(name).matches()) {
            why = "only letters, digits, '.', '_', '-' and '/' are allowed";
        } else if (name.startsWith("-") || name.contains("/-")) {
            why = "a name or path segment may not start with '-'";
        } else if (name.startsWith("refs/") || "HEAD".equals(name) || name.matches("[0-9a-fA-F]{40}")) {
            why = "it would be confused with a ref or commit";
        } else if (!Repository.isValidRefName("refs/heads/" + name)) {
            why = "it breaks git's ref name rules (no '..', '//', leading '.', trailing '/', '.' or '.lock')";
        }
        if (why != null) {
            throw new ValidationException("branch '" + shown + "' is not a valid branch name: " + why);
        }
        return name;
    }

    static String validatePrefix(String prefix) {
        return validate(prefix);
    }

    /** {@code s} with control and non-ASCII characters escaped, at most 80 characters, for messages. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 80 ? b + "..." : b.toString();
    }
}
