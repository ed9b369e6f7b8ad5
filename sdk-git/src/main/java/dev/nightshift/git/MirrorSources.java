package dev.nightshift.git;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.git.internal.CommitTree;
import dev.nightshift.git.internal.Mirrors;
import dev.nightshift.git.internal.Remote;
import dev.nightshift.git.internal.TreeFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading sources out of the host mirror for a {@link GitHost}: resolving a ref after a fetch,
 * and trees, digests and exports of a commit already there.
 *
 * <p>Thread-safety: stateless; the mirror locks its own writes. Lifecycle: static helpers.
 */
final class MirrorSources {
    /** GitHost's logger: these lines have always been the host's. */
    private static final Logger LOG = LoggerFactory.getLogger(GitHost.class);

    private MirrorSources() {
    }

    /** See {@link GitHost#fetch}. */
    static GitHost.Source fetch(Mirrors mirrors, String repository, String ref) {
        Remote remote = Remote.parse(repository);
        Optional<String> head = mirrors.fetch(remote);
        Repository repo = mirrors.repository(remote);
        try {
            String wanted = ref;
            if (wanted == null || wanted.isBlank()) {
                wanted = head.orElseThrow(() -> new NotFoundException("repository " + remote
                        + " has no branches: push a first commit, or name a commit"));
            }
            Optional<RevCommit> commit = mirrors.resolve(repo, wanted);
            if (commit.isEmpty() && wanted.matches("[0-9a-fA-F]{40}")
                    && mirrors.fetchCommit(remote, ObjectId.fromString(wanted.toLowerCase(Locale.ROOT)))) {
                commit = mirrors.resolve(repo, wanted);
            }
            if (commit.isEmpty()) {
                throw new NotFoundException("ref '" + GitHost.printable(wanted) + "' not found in " + remote
                        + ": no branch, tag or commit of that name (branches: " + someBranches(repo) + ")");
            }
            RevCommit c = commit.get();
            LOG.info("resolved {} of {} to {}", GitHost.printable(wanted), remote, c.name());
            return new GitHost.Source(c.name(), new CommitTree(repo, c, c.getTree()), remote.key());
        } catch (IOException e) {
            throw new NightshiftException("cannot read the mirror of " + remote + ": " + e.getMessage(), e);
        }
    }

    private static String someBranches(Repository repo) throws IOException {
        var refs = repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < refs.size() && i < 10; i++) {
            b.append(i == 0 ? "" : ", ").append(refs.get(i).getName().substring(Constants.R_HEADS.length()));
        }
        if (refs.size() > 10) {
            b.append(", … ").append(refs.size() - 10).append(" more");
        }
        return refs.isEmpty() ? "none" : b.toString();
    }

    /** See {@link GitHost#treeDigest}. */
    static String treeDigest(Mirrors mirrors, String repository, String commit, String path) {
        CommitTree tree = commitTree(mirrors, repository, commit);
        return tree.entry(path).map(e -> e.mode().getObjectType() == Constants.OBJ_TREE
                ? "tree:" + e.id().name() : "blob:" + Integer.toOctalString(e.mode().getBits()) + ":" + e.id().name())
                .orElse("");
    }

    /** See {@link GitHost#export}. */
    static void export(Mirrors mirrors, String repository, String commit, String path, Path dir) {
        CommitTree tree = commitTree(mirrors, repository, commit);
        Repository repo = mirrors.repository(Remote.parse(repository));
        String p = CommitTree.normalise(path);
        CommitTree.Entry e = tree.entry(p).orElseThrow(() -> new NotFoundException(
                "nothing at '" + p + "' in commit " + commit + " of " + Remote.parse(repository)));
        try {
            TreeFiles.export(repo, e, p, dir);
        } catch (IOException ex) {
            throw new NightshiftException("cannot export '" + p + "' of " + commit + " into " + dir + ": "
                    + ex.getMessage(), ex);
        }
    }

    /** A tree over {@code commit} as it is in the mirror. */
    static CommitTree commitTree(Mirrors mirrors, String repository, String commit) {
        Remote remote = Remote.parse(repository);
        Repository repo = mirrors.repository(remote);
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(Objects.requireNonNull(commit, "commit")));
            return new CommitTree(repo, c, c.getTree());
        } catch (IllegalArgumentException e) {
            throw new ValidationException("commit '" + GitHost.printable(commit) + "' is not a full commit id");
        } catch (MissingObjectException e) {
            throw new NotFoundException("commit " + commit + " is not in the mirror of " + remote
                    + "; fetch it first", e);
        } catch (IOException e) {
            throw new NightshiftException("cannot read commit " + commit + " of " + remote + ": " + e.getMessage(), e);
        }
    }
}
