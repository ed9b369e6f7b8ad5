package dev.nightshift.secrets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Replaces secret values with {@code [REDACTED]} in text: the values themselves and their common
 * encodings (URL-encoded, and base64 at any of the three byte alignments, standard or URL-safe
 * alphabet). Overlapping or adjacent occurrences become one {@code [REDACTED]}. All patterns are
 * found in one pass (Aho-Corasick), so the cost hardly grows with the number of secrets.
 *
 * <p>For output that arrives in chunks use {@link #stream()}: it finds a value split across
 * chunks and holds back only what may begin a secret, at most {@link #maxLength()}{@code  - 1}
 * characters.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe; build one per set of secrets and share it.
 * <b>Lifecycle:</b> a value; it holds the secret values in memory for as long as it is reachable.
 *
 * <pre>{@code
 * Redactor r = Redactor.of(Map.of("API_TOKEN", token));
 * log.info(r.redact(line));                  // "... [REDACTED] ..."
 * StreamRedactor out = r.stream();           // one per output stream
 * sink.accept(out.write(chunk));  ...  sink.accept(out.flush());
 * }</pre>
 */
public final class Redactor {
    /** What a secret is replaced with. */
    public static final String MARK = "[REDACTED]";

    private static final Redactor NONE = new Redactor(Map.of(), null);

    private final String[] names;
    private final Automaton automaton;
    private final List<String> patterns = new ArrayList<>();
    private final int[] labels;
    private final Boolean forceDense;
    /** The forms as UTF-8 bytes, for {@link ByteStreamRedactor}; built when first needed. */
    private volatile Automaton bytes;

    private Redactor(Map<String, String> valuesByName, Boolean forceDense) {
        names = valuesByName.keySet().toArray(String[]::new);
        List<Integer> labelList = new ArrayList<>();
        int i = 0;
        for (String value : valuesByName.values()) {
            for (String form : Encodings.forms(value)) {
                patterns.add(form);
                labelList.add(i);
            }
            i++;
        }
        labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        this.forceDense = forceDense;
        automaton = new Automaton(patterns, labels, forceDense);
    }

    /** The automaton over the forms' UTF-8 bytes (each byte one char), built once. */
    Automaton bytesAutomaton() {
        Automaton a = bytes;
        if (a == null) {
            synchronized (this) {
                a = bytes;
                if (a == null) {
                    List<String> utf8 = new ArrayList<>(patterns.size());
                    for (String p : patterns) {
                        utf8.add(new String(p.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
                    }
                    a = new Automaton(utf8, labels, forceDense);
                    bytes = a;
                }
            }
        }
        return a;
    }

    /** A redactor for {@code valuesByName} (secret name to value); empty values are ignored. */
    public static Redactor of(Map<String, String> valuesByName) {
        return valuesByName.isEmpty() ? NONE : new Redactor(new LinkedHashMap<>(valuesByName), null);
    }

    /** A redactor for anonymous values (reported as {@code secret #i}). */
    public static Redactor of(Collection<String> values) {
        Map<String, String> byName = new LinkedHashMap<>();
        int i = 0;
        for (String v : values) {
            byName.put("secret #" + (++i), Objects.requireNonNull(v, "value"));
        }
        return of(byName);
    }

    /** A redactor that changes nothing. */
    public static Redactor none() {
        return NONE;
    }

    /** For tests: force the dense or the sparse automaton. */
    static Redactor of(Map<String, String> valuesByName, boolean dense) {
        return new Redactor(new LinkedHashMap<>(valuesByName), dense);
    }

    /** Whether there is nothing to redact. */
    public boolean isEmpty() {
        return automaton.patternCount() == 0;
    }

    /** The length of the longest form of any value; a stream holds back at most one less. */
    public int maxLength() {
        return automaton.maxLength();
    }

    /** How many distinct forms are searched for. */
    public int patternCount() {
        return automaton.patternCount();
    }

    Automaton automaton() {
        return automaton;
    }

    /** {@code text} with every secret (and encoded secret) replaced by {@link #MARK}; null stays null. */
    public String redact(String text) {
        if (text == null || isEmpty()) {
            return text;
        }
        int[][] ref = {new int[16]};
        int n = automaton.intervals(text.toCharArray(), 0, text.length(), ref);
        if (n == 0) {
            return text;
        }
        int[] iv = ref[0];
        StringBuilder b = new StringBuilder(text.length());
        int pos = 0;
        for (int k = 0; k < n; k++) {
            b.append(text, pos, iv[2 * k]).append(MARK);
            pos = iv[2 * k + 1];
        }
        return b.append(text, pos, text.length()).toString();
    }

    /** Whether {@code text} holds any secret or encoded secret (the pre-push guard's check). */
    public boolean containsSecret(CharSequence text) {
        return text != null && !isEmpty() && automaton.matches(text);
    }

    /** The names of the secrets found in {@code text}, sorted; never their values. */
    public Set<String> secretsIn(CharSequence text) {
        Set<String> found = new TreeSet<>();
        if (text == null || isEmpty()) {
            return found;
        }
        BitSet labels = new BitSet();
        int s = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            s = automaton.step(s, text.charAt(i));
            if (automaton.matchLength(s) != 0) {
                automaton.labels(s, labels);
            }
        }
        labels.stream().forEach(l -> found.add(names[l]));
        return found;
    }

    /** A new redactor for one stream of chunks. */
    public StreamRedactor stream() {
        return new StreamRedactor(this);
    }

    @Override
    public String toString() {
        return "Redactor[" + names.length + " secrets, " + patternCount() + " forms]";
    }
}
