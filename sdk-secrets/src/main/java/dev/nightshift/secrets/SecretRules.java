package dev.nightshift.secrets;

import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.SecretKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a secret's name and value may be. Names are POSIX environment variable names
 * ({@code [A-Za-z_][A-Za-z0-9_]*}, at most {@value #MAX_NAME_LENGTH} characters), not starting
 * with a reserved prefix ({@code NIGHTSHIFT_}, Nightshift's own variables; {@code BASH_FUNC_},
 * exported shell functions) and not one of the variables every machine sets itself
 * ({@link #RESERVED_NAMES}). Values are at most {@value #MAX_VALUE_BYTES} bytes of UTF-8 and
 * hold no NUL character (an environment variable cannot). A redacted value (runtime or build
 * secret) has at least {@value #MIN_REDACTED_LENGTH} characters: redacting a shorter one would
 * blank out ordinary words in every output (and its encoded forms would be shorter still), so
 * a shorter runtime or build secret is refused with an error that suggests the {@code ENV} kind
 * (injected, not redacted).
 *
 * <p>Messages name the secret but never hold its value.
 *
 * <p><b>Thread-safety:</b> stateless. <b>Lifecycle:</b> static methods only.
 *
 * <pre>{@code
 * SecretRules.check("NPM_TOKEN", SecretKind.BUILD, token);   // throws ValidationException if not
 * }</pre>
 */
final class SecretRules {
    public static final int MAX_NAME_LENGTH = 128;
    public static final int MAX_VALUE_BYTES = 32 * 1024;
    public static final int MIN_REDACTED_LENGTH = 8;
    public static final List<String> RESERVED_PREFIXES = List.of("NIGHTSHIFT_", "BASH_FUNC_");
    public static final Set<String> RESERVED_NAMES = Set.of("PATH", "HOME", "USER", "SHELL", "PWD", "HOSTNAME");

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private SecretRules() {
    }

    /** The problem with {@code name}, or null when it is a valid secret name. */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "a secret needs a name";
        }
        String shown = printable(name);
        if (name.length() > MAX_NAME_LENGTH) {
            return "secret name " + shown + " is longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (!NAME.matcher(name).matches()) {
            return "secret name " + shown + " is not a POSIX environment variable name"
                    + " (letters, digits and '_', not starting with a digit)";
        }
        String upper = name.toUpperCase(Locale.ROOT);
        for (String prefix : RESERVED_PREFIXES) {
            if (upper.startsWith(prefix)) {
                return "secret name " + shown + " uses the reserved prefix " + prefix;
            }
        }
        if (RESERVED_NAMES.contains(name)) {
            return "secret name " + shown + " is set by every machine and cannot be a secret";
        }
        return null;
    }

    /** Checks a name; throws {@link ValidationException} naming the problem. */
    public static void checkName(String name) {
        String problem = nameProblem(name);
        if (problem != null) {
            throw new ValidationException(problem);
        }
    }

    /** Checks a name and a value of {@code kind}; the message names the secret, never the value. */
    public static void check(String name, SecretKind kind, String value) {
        checkName(name);
        if (value == null) {
            throw new ValidationException("secret " + name + " has no value");
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_VALUE_BYTES) {
            throw new ValidationException("secret " + name + " is " + bytes + " bytes; the limit is " + MAX_VALUE_BYTES);
        }
        if (value.indexOf('\0') >= 0) {
            throw new ValidationException("secret " + name + " holds a NUL character, which no environment variable can");
        }
        if (kind.redacted() && value.length() < MIN_REDACTED_LENGTH) {
            throw new ValidationException("secret " + name + " is a " + kind.name().toLowerCase(Locale.ROOT)
                    + " secret of " + value.length() + " characters; redacted secrets need at least "
                    + MIN_REDACTED_LENGTH + " to be redacted without blanking out ordinary text;"
                    + " use a longer value, or store it as kind ENV (injected, never redacted)");
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder b = new StringBuilder("'");
        for (char c : cut.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.append('\'').toString();
    }
}
