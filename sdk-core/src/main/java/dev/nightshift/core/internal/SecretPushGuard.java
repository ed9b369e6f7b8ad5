package dev.nightshift.core.internal;

import dev.nightshift.git.OutgoingPush;
import dev.nightshift.git.PushGuard;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's {@link PushGuard}: refuses a push whose diff or commit messages hold a runtime
 * secret of the agent that owns the branch, and remembers which file (never the value) so the
 * agent's error can name it.
 */
public final class SecretPushGuard implements PushGuard {
    private final Map<String, Set<String>> valuesByBranch = new ConcurrentHashMap<>();
    private final Map<String, String> refusals = new ConcurrentHashMap<>();

    /** The values that may not leave on {@code branch} (an agent's runtime secrets). */
    public void watch(String branch, Set<String> values) {
        if (values.isEmpty()) {
            valuesByBranch.remove(branch);
        } else {
            valuesByBranch.put(branch, Set.copyOf(values));
        }
    }

    public void forget(String branch) {
        valuesByBranch.remove(branch);
        refusals.remove(branch);
    }

    /** Why the last push of {@code branch} was refused, naming the file or commit message. */
    public Optional<String> refusal(String branch) {
        return Optional.ofNullable(refusals.get(branch));
    }

    @Override
    public boolean allows(OutgoingPush push) {
        Set<String> values = valuesByBranch.get(push.branch());
        if (values == null || values.isEmpty()) {
            return true;
        }
        for (OutgoingPush.OutgoingCommit c : push.commits()) {
            for (String v : values) {
                if (c.message().contains(v)) {
                    refusals.put(push.branch(), "the message of commit " + c.id().substring(0, Math.min(12, c.id().length()))
                            + " holds a runtime secret");
                    return false;
                }
                String file = fileHolding(c.diff(), v);
                if (file != null) {
                    refusals.put(push.branch(), "file " + file + " (commit " + c.id().substring(0, Math.min(12,
                            c.id().length())) + ") holds a runtime secret");
                    return false;
                }
            }
        }
        return true;
    }

    /** The file whose added lines in a unified diff contain {@code value}, or null. */
    static String fileHolding(String diff, String value) {
        String file = null;
        for (String line : diff.split("\n", -1)) {
            if (line.startsWith("+++ ")) {
                file = line.startsWith("+++ b/") ? line.substring(6) : line.substring(4);
            } else if (line.startsWith("diff --git ")) {
                int b = line.lastIndexOf(" b/");
                file = b >= 0 ? line.substring(b + 3) : file;
            } else if (line.startsWith("+") && line.contains(value)) {
                return file == null ? "(unknown file)" : file;
            }
        }
        return null;
    }
}
