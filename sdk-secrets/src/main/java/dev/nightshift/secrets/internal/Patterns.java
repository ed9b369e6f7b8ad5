package dev.nightshift.secrets.internal;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.secrets.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link Redactor} is made of: every form of every secret value ({@link Encodings#forms}),
 * labelled by the secret's name, in one automaton over chars and, built when first needed, one
 * over the forms' UTF-8 bytes (each byte one char) for byte streams and files. Internal to
 * sdk-secrets: other modules use {@link Redactor}.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe (the byte automaton is built once, under a
 * lock). <b>Lifecycle:</b> a value; holds the secret values' forms in memory while reachable.
 */
public final class Patterns {
    private final String[] names;
    private final Automaton automaton;
    private final List<String> patterns = new ArrayList<>();
    private final int[] labels;
    private final Boolean forceDense;
    /** The forms as UTF-8 bytes, for {@link ByteStreamRedactor} and the search of a byte stream; built when first needed. */
    private volatile Automaton bytes;

    /**
     * @param valuesByName secret name to value
     * @param forceDense for tests: force the dense ({@code true}) or sparse ({@code false})
     *     automaton, or {@code null} to let the size decide
     */
    public Patterns(Map<String, String> valuesByName, Boolean forceDense) {
        Map<String, String> copy = new LinkedHashMap<>(valuesByName);
        names = copy.keySet().toArray(String[]::new);
        List<Integer> labelList = new ArrayList<>();
        int i = 0;
        for (String value : copy.values()) {
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

    Automaton automaton() {
        return automaton;
    }

    /** Whether the char automaton is the dense table (else sparse); for tests. */
    public boolean isDense() {
        return automaton.isDense();
    }

    /** How many secrets (names) there are. */
    public int secretCount() {
        return names.length;
    }

    public boolean isEmpty() {
        return automaton.patternCount() == 0;
    }

    public int maxLength() {
        return automaton.maxLength();
    }

    public int patternCount() {
        return automaton.patternCount();
    }

    /** {@code text} with every form replaced by {@link Redactor#MARK}; null stays null. */
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
            b.append(text, pos, iv[2 * k]).append(Redactor.MARK);
            pos = iv[2 * k + 1];
        }
        return b.append(text, pos, text.length()).toString();
    }

    public boolean containsSecret(CharSequence text) {
        return text != null && !isEmpty() && automaton.matches(text);
    }

    /** The names of the secrets found in {@code text}, sorted. */
    public Set<String> secretsIn(CharSequence text) {
        Set<String> found = new TreeSet<>();
        if (text == null || isEmpty()) {
            return found;
        }
        BitSet hits = new BitSet();
        int s = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            s = automaton.step(s, text.charAt(i));
            if (automaton.matchLength(s) != 0) {
                automaton.labels(s, hits);
            }
        }
        hits.stream().forEach(l -> found.add(names[l]));
        return found;
    }

    /** The names of the secrets in a stream of bytes (read to its end, not closed), sorted. */
    public Set<String> secretsIn(InputStream in) {
        try {
            return read(in);
        } catch (IOException e) {
            throw new NightshiftException("cannot read a stream to look for secrets: " + e.getMessage(), e);
        }
    }

    /** The names of the secrets in a stream of bytes; the stream's own failure is the caller's to report. */
    Set<String> read(InputStream in) throws IOException {
        Automaton b = bytesAutomaton();
        BitSet hits = new BitSet();
        byte[] buf = new byte[64 * 1024];
        int s = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            for (int i = 0; i < n; i++) {
                s = b.step(s, (char) (buf[i] & 0xff));
                if (b.matchLength(s) != 0) {
                    b.labels(s, hits);
                }
            }
        }
        Set<String> found = new TreeSet<>();
        hits.stream().forEach(l -> found.add(names[l]));
        return found;
    }

    /** A new redactor for one stream of chunks of text. */
    public Redactor.Stream stream() {
        return new StreamRedactor(this);
    }

    /** A new listener that redacts one exec's output before {@code downstream} sees it. */
    public Redactor.OutputListener execListener(ExecListener downstream) {
        return new RedactingExecListener(this, downstream);
    }
}
