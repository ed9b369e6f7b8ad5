package dev.nightshift.secrets.internal;

import java.io.IOException;
import java.io.InputStream;
import dev.nightshift.api.NightshiftException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds secret values (and their encodings) in files on the host, reporting which file holds which
 * secret by name, never the value. Files are scanned as bytes (the UTF-8 form of each value), in
 * constant memory, so binary and huge files are fine. Internal to sdk-secrets (the checks that no
 * value is on the store's disk use it); other modules ask {@code Redactor#secretsIn}, the same
 * patterns.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe. <b>Lifecycle:</b> a value; holds the
 * secret values in memory while reachable.
 *
 * <pre>{@code
 * List<SecretFinding> found = SecretScanner.of(buildSecrets).scanFiles(workspace, changedFiles);
 * if (!found.isEmpty()) throw new BuildFailedException("install wrote a build secret into " + found);
 * }</pre>
 */
public final class SecretScanner {
    private final Patterns patterns;

    private SecretScanner(Patterns patterns) {
        this.patterns = patterns;
    }

    /** A scanner for {@code valuesByName} (secret name to value). */
    public static SecretScanner of(Map<String, String> valuesByName) {
        return new SecretScanner(new Patterns(new LinkedHashMap<>(valuesByName), null));
    }

    /** Whether there is nothing to look for. */
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** Whether {@code text} (a diff, a commit message) holds any of the secrets. */
    public boolean containsSecret(CharSequence text) {
        return patterns.containsSecret(text);
    }

    /** The names of the secrets in {@code text}, sorted. */
    public Set<String> secretsIn(CharSequence text) {
        return patterns.secretsIn(text);
    }

    /** The names of the secrets in a stream of bytes (read to its end, not closed). */
    public Set<String> secretsIn(InputStream in) {
        return patterns.secretsIn(in);
    }

    private Set<String> read(InputStream in) throws IOException {
        return patterns.read(in);
    }

    /** The findings in one file's content, labelled {@code file}. */
    public List<SecretFinding> scan(String file, byte[] content) {
        return findings(file, secretsIn(new java.io.ByteArrayInputStream(content)));
    }

    /**
     * The findings in the files {@code relativePaths} under {@code root} (the changed files of a
     * build, the files of a diff). Paths that leave {@code root}, do not exist (deleted files) or
     * are not regular files (links are not followed) are skipped.
     */
    public List<SecretFinding> scanFiles(Path root, Collection<String> relativePaths) {
        List<SecretFinding> out = new ArrayList<>();
        if (isEmpty()) {
            return out;
        }
        Path base = root.toAbsolutePath().normalize();
        for (String rel : new TreeSet<>(relativePaths)) {
            Path p = base.resolve(rel).normalize();
            if (!p.startsWith(base) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                out.addAll(findings(base.relativize(p).toString(), read(in)));
            } catch (IOException e) {
                throw new NightshiftException("cannot read " + p + " to look for secrets: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static List<SecretFinding> findings(String file, Set<String> names) {
        return names.stream().map(n -> new SecretFinding(file, n)).toList();
    }

    @Override
    public String toString() {
        return "SecretScanner[" + patterns.secretCount() + " secrets]";
    }
}
