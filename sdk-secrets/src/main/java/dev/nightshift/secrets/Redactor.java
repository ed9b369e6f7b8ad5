package dev.nightshift.secrets;

import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.secrets.internal.Patterns;
import java.io.InputStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Redaction's one entry point: replaces secret values with {@code [REDACTED]} in text, the values
 * themselves and their common encodings (URL-encoded, and base64 at any of the three byte
 * alignments, standard or URL-safe alphabet, hex, escaped, each line of a multi-line value).
 * Overlapping or adjacent occurrences become one {@code [REDACTED]}. All patterns are found in one
 * pass (Aho-Corasick), so the cost hardly grows with the number of secrets.
 *
 * <p>Its other forms: {@link #stream()} for text that arrives in chunks (it finds a value split
 * across chunks and holds back only what may begin a secret, at most {@link #maxLength()}{@code  - 1}
 * characters), {@link #execListener} for a command's output as bytes, before it is cut into
 * lines. The same patterns answer the pre-push guard: {@link #containsSecret}, and
 * {@link #secretsIn(CharSequence)} / {@link #secretsIn(InputStream)} name the secrets found, never
 * their values.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe; build one per set of secrets and share it.
 * <b>Lifecycle:</b> a value; it holds the secret values in memory for as long as it is reachable.
 *
 * <pre>{@code
 * Redactor r = Redactor.of(Map.of("API_TOKEN", token));
 * log.info(r.redact(line));                  // "... [REDACTED] ..."
 * Redactor.Stream out = r.stream();          // one per output stream
 * sink.accept(out.write(chunk));  ...  sink.accept(out.flush());
 * Redactor.OutputListener l = r.execListener(ExecListener.lines(recorder));  // one per exec
 * machine.exec(ExecRequest.builder("make").listener(l).build()).await();  l.flush();
 * }</pre>
 */
public final class Redactor {
    /** What a secret is replaced with. */
    public static final String MARK = "[REDACTED]";

    private static final Redactor NONE = new Redactor(new Patterns(Map.of(), null));

    private final Patterns patterns;

    private Redactor(Patterns patterns) {
        this.patterns = patterns;
    }

    /** A redactor for {@code valuesByName} (secret name to value); empty values are ignored. */
    public static Redactor of(Map<String, String> valuesByName) {
        return valuesByName.isEmpty() ? NONE : new Redactor(new Patterns(new LinkedHashMap<>(valuesByName), null));
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

    /** Whether there is nothing to redact. */
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** The length of the longest form of any value; a stream holds back at most one less. */
    public int maxLength() {
        return patterns.maxLength();
    }

    /** How many distinct forms are searched for. */
    public int patternCount() {
        return patterns.patternCount();
    }

    /** {@code text} with every secret (and encoded secret) replaced by {@link #MARK}; null stays null. */
    public String redact(String text) {
        return patterns.redact(text);
    }

    /** Whether {@code text} holds any secret or encoded secret (the pre-push guard's check). */
    public boolean containsSecret(CharSequence text) {
        return patterns.containsSecret(text);
    }

    /** The names of the secrets found in {@code text}, sorted; never their values. */
    public Set<String> secretsIn(CharSequence text) {
        return patterns.secretsIn(text);
    }

    /**
     * The names of the secrets found in a stream of bytes (a binary file of a push), sorted; never
     * their values. Reads the stream to its end in constant memory and does not close it; a
     * failure to read is a {@link dev.nightshift.api.NightshiftException}.
     */
    public Set<String> secretsIn(InputStream in) {
        return patterns.secretsIn(in);
    }

    /** A new redactor for one stream of chunks of text. */
    public Stream stream() {
        return patterns.stream();
    }

    /**
     * A new listener for one exec that redacts its stdout and stderr before passing them to
     * {@code downstream}: each stream is searched as bytes for the UTF-8 form of every form of
     * every secret (no decoding: bytes that are not UTF-8 pass unchanged), so a secret split
     * across chunks, writes or lines is still found; up to {@link #maxLength()}{@code  - 1} bytes
     * wait for the next chunk, released by {@link OutputListener#flush()}.
     */
    public OutputListener execListener(ExecListener downstream) {
        return patterns.execListener(Objects.requireNonNull(downstream, "downstream"));
    }

    @Override
    public String toString() {
        return "Redactor[" + patterns.secretCount() + " secrets, " + patternCount() + " forms]";
    }

    /**
     * Redacts one stream of text that arrives in chunks (a command's stdout, a terminal), finding
     * a secret even when it is split across chunks. Each {@link #write} returns what is safe to
     * emit now: it holds back only the last characters that may begin a secret, at most
     * {@code maxLength() - 1}, which a later chunk or {@link #flush()} releases. The concatenated
     * output equals {@link Redactor#redact} of the concatenated input, however the input was cut.
     *
     * <p><b>Thread-safety:</b> not thread-safe: one per stream, fed by one thread at a time.
     * <b>Lifecycle:</b> {@link Redactor#stream()} creates it; call {@link #flush()} when the stream
     * ends (it may then be reused for a new stream).
     */
    public interface Stream {
        /** Takes the next chunk; returns the redacted text that can be emitted now (maybe empty). */
        String write(CharSequence chunk);

        /** Takes the next chunk as chars; see {@link #write(CharSequence)}. */
        String write(char[] chars, int offset, int count);

        /** Ends the stream: returns the rest, redacted, and resets. */
        String flush();

        /** How many characters are held back now (at most {@code maxLength() - 1}). */
        int pending();
    }

    /**
     * An {@link ExecListener} that redacts a command's output before passing it on
     * ({@link Redactor#execListener}); the engine's path for every command's output.
     *
     * <p><b>Thread-safety:</b> follows the {@link ExecListener} contract (one runtime thread per
     * exec, never concurrently for one exec). <b>Lifecycle:</b> one per exec; call {@link #flush()}
     * once the exec has ended.
     */
    public interface OutputListener extends ExecListener {
        /** Releases what is held back on both streams, then flushes a downstream {@link ExecListener.LineListener}. */
        void flush();
    }
}
