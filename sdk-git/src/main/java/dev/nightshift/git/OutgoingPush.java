package dev.nightshift.git;

import java.io.IOException;
import java.io.InputStream;
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
     * @param diff unified diff against the first parent (against nothing for a root commit); a
     *     binary file shows in it only as {@code Binary files ... differ}
     * @param binaryFiles the files added or changed by the commit whose content the diff does not
     *     show (binary, or too big for a text diff), to be read as bytes
     */
    public record OutgoingCommit(String id, String message, String diff, List<OutgoingFile> binaryFiles) {
        public OutgoingCommit {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(diff, "diff");
            binaryFiles = List.copyOf(binaryFiles);
        }

        /** A commit without binary files. */
        public OutgoingCommit(String id, String message, String diff) {
            this(id, message, diff, List.of());
        }
    }

    /**
     * A file whose new content a guard reads as bytes.
     *
     * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> {@link #content()} can be opened only
     * while {@link PushGuard#allows} runs (it reads from the host mirror); close each stream.
     *
     * @param path the file's path in the commit
     * @param size its size in bytes
     * @param content opens the file's content
     */
    public record OutgoingFile(String path, long size, Content content) {
        public OutgoingFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(content, "content");
        }

        /** Opens {@link #content()}. */
        public InputStream open() throws IOException {
            return content.open();
        }

        /** Where the bytes come from. */
        @FunctionalInterface
        public interface Content {
            /** A new stream over the file's bytes; the caller closes it. */
            InputStream open() throws IOException;
        }
    }
}
