package dev.nightshift.core.internal;

import dev.nightshift.secrets.Redactor;
import dev.nightshift.git.OutgoingPush;
import dev.nightshift.git.PushGuard;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's {@link PushGuard}: refuses a push when an agent's runtime or build secret, in any
 * of the forms the redactor knows (each line of a multi-line value, base64 wrapped or not, hex,
 * escaped), is on an added line of a diff, in a file name, in a commit message or in the bytes
 * of a binary file; it remembers which files and which secrets (by name, never the value) so the
 * agent's error can name them.
 *
 * <p><b>Thread-safety:</b> thread-safe (agents hand off concurrently). <b>Lifecycle:</b> one per
 * engine; an agent's branch is watched while the agent lives.
 */
public final class SecretPushGuard implements PushGuard {
    private final Map<String, Redactor> scannerByBranch = new ConcurrentHashMap<>();
    private final Map<String, String> refusals = new ConcurrentHashMap<>();

    /** The secrets that may not leave on {@code branch} (an agent's runtime and build secrets). */
    public void watch(String branch, Redactor secrets) {
        if (secrets.isEmpty()) {
            scannerByBranch.remove(branch);
        } else {
            scannerByBranch.put(branch, secrets);
        }
    }

    public void forget(String branch) {
        scannerByBranch.remove(branch);
        refusals.remove(branch);
    }

    /** Why the last push of {@code branch} was refused, naming the files and the secrets. */
    public Optional<String> refusal(String branch) {
        return Optional.ofNullable(refusals.get(branch));
    }

    @Override
    public boolean allows(OutgoingPush push) {
        Redactor scanner = scannerByBranch.get(push.branch());
        if (scanner == null || scanner.isEmpty()) {
            return true;
        }
        List<String> found = findings(scanner, push);
        if (found.isEmpty()) {
            refusals.remove(push.branch());
            return true;
        }
        refusals.put(push.branch(), String.join("; ", found));
        return false;
    }

    /** What holds a secret, one entry per file or message: {@code file x (commit c) holds the secret NAME}. */
    static List<String> findings(Redactor scanner, OutgoingPush push) {
        Map<String, Set<String>> byPlace = new LinkedHashMap<>();
        for (OutgoingPush.OutgoingCommit c : push.commits()) {
            String id = c.id().substring(0, Math.min(12, c.id().length()));
            String commit = " (commit " + id + ")";
            if (scanner.containsSecret(c.message())) {
                add(byPlace, "the message of commit " + id, scanner.secretsIn(c.message()));
            }
            scanDiff(scanner, c.diff(), commit, byPlace);
            for (OutgoingPush.OutgoingFile f : c.binaryFiles()) {
                try (InputStream in = f.open()) {
                    add(byPlace, "file " + shown(scanner, f.path()) + commit, scanner.secretsIn(in));
                } catch (IOException e) {
                    add(byPlace, "file " + shown(scanner, f.path()) + commit + " (unreadable: " + e.getClass().getSimpleName()
                            + ", so not pushed)", Set.of("?"));
                }
            }
        }
        List<String> out = new ArrayList<>();
        byPlace.forEach((place, names) -> out.add(place + " holds " + (names.size() == 1 ? "the secret " : "the secrets ")
                + String.join(", ", names)));
        return out;
    }

    /** The added lines and the file names of a unified diff. */
    private static void scanDiff(Redactor scanner, String diff, String commit, Map<String, Set<String>> byPlace) {
        String file = null;
        int at = 0;
        int n = diff.length();
        while (at < n) {
            int end = diff.indexOf('\n', at);
            if (end < 0) {
                end = n;
            }
            String line = diff.substring(at, end);
            at = end + 1;
            if (line.startsWith("diff --git ")) {
                int b = line.lastIndexOf(" b/");
                file = b >= 0 ? line.substring(b + 3) : line.substring(11);
                if (scanner.containsSecret(line)) {
                    add(byPlace, "the name of a file" + commit, scanner.secretsIn(line));
                }
            } else if (line.startsWith("+++ ") && (line.startsWith("+++ b/") || line.equals("+++ /dev/null"))) {
                if (scanner.containsSecret(line)) {
                    add(byPlace, "the name of a file" + commit, scanner.secretsIn(line));
                }
            } else if (line.startsWith("+") && scanner.containsSecret(line)) {
                add(byPlace, "file " + (file == null ? "(unknown)" : shown(scanner, file)) + commit,
                        scanner.secretsIn(line.substring(1)));
            }
        }
    }

    /** A file's path, unless the path itself holds a secret. */
    private static String shown(Redactor scanner, String path) {
        return scanner.containsSecret(path) ? "(a file whose name holds a secret)" : path;
    }

    private static void add(Map<String, Set<String>> byPlace, String place, Set<String> names) {
        if (!names.isEmpty()) {
            byPlace.computeIfAbsent(place, k -> new TreeSet<>()).addAll(names);
        }
    }
}
