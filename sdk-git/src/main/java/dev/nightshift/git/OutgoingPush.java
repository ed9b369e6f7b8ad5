package dev.nightshift.git;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a push would send: every commit the remote does not have yet (as far as the host mirror
 * knows), each with its message and its diff against its first parent. A secret removed again
 * in a later commit is still in an earlier one's diff, so a guard sees it.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * @param repository the remote's normalised key
 * @param branch the branch being pushed
 * @param commit the tip being pushed
 * @param commits the outgoing commits, newest first
 */
public record OutgoingPush(String repository, String branch, String commit, List<OutgoingCommit> commits) {

    public OutgoingPush {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(commit, "commit");
        commits = List.copyOf(commits);
    }

    /** All commit messages, newest first. */
    public List<String> messages() {
        return commits.stream().map(OutgoingCommit::message).collect(Collectors.toList());
    }

    /** All diffs concatenated, newest commit first. */
    public String diff() {
        return commits.stream().map(OutgoingCommit::diff).collect(Collectors.joining());
    }

    /**
     * One outgoing commit.
     *
     * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
     *
     * @param id the commit id
     * @param message the full commit message
     * @param diff unified diff against the first parent (against nothing for a root commit)
     */
    public record OutgoingCommit(String id, String message, String diff) {
        public OutgoingCommit {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(diff, "diff");
        }
    }
}
