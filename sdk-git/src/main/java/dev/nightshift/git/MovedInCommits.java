package dev.nightshift.git;

import dev.nightshift.api.runtime.Machine;
import dev.nightshift.git.internal.Remote;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The commit a {@link GitHost} last moved into each workspace of a running machine (see
 * {@link MoveIn}), so that the next move-in there can send a bundle thin against it; the least
 * recently used entry is dropped beyond {@link #ENTRIES}.
 *
 * <p>Thread-safety: thread-safe (a synchronised map). Lifecycle: lives as long as its host; views
 * of the host share it.
 */
final class MovedInCommits {
    static final int ENTRIES = 4096;

    private final Map<String, ObjectId> commits = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ObjectId> eldest) {
            return size() > ENTRIES;
        }
    });

    /** The commit last moved into {@code workspace} of {@code machine} for {@code user}, or {@code null}. */
    ObjectId last(Machine machine, Remote remote, String workspace, String user) {
        return commits.get(key(machine, remote, workspace, user));
    }

    /** Records (or with {@code null}, forgets) what was moved into {@code workspace}. */
    void record(Machine machine, Remote remote, String workspace, String user, ObjectId commit) {
        String key = key(machine, remote, workspace, user);
        if (commit == null) {
            commits.remove(key);
        } else {
            commits.put(key, commit.copy());
        }
    }

    private static String key(Machine machine, Remote remote, String workspace, String user) {
        return machine.id() + "\n" + remote.key() + "\n" + workspace + "\n" + user;
    }
}
