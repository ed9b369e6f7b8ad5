package dev.nightshift.core.internal;

import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.spec.RepositoryTree;
import java.nio.file.Path;

/** What the engine needs of git; implemented over sdk-git by {@link JGitPort}. */
public interface GitPort {

    /**
     * This port with the credentials of the agent {@code request} spawned (its owner's): every
     * fetch and push through the returned port, submodules and dependencies included, uses them.
     */
    default GitPort forAgent(AgentRequest request) {
        return this;
    }

    /** The repository fetched into the host mirror and {@code ref} (or the default branch) resolved. */
    Source fetch(String repository, String ref);

    /** A fresh, valid, unique branch name for the agent ({@code requested} is validated when given). */
    String branchName(String repository, String prompt, String requested);

    /** A digest of the tree at {@code path} (file or directory) in {@code commit}; "" when missing. */
    String treeDigest(String repository, String commit, String path);

    /** Writes the tree at {@code path} in {@code commit} into {@code dir} (for Dockerfile builds). */
    void export(String repository, String commit, String path, Path dir);

    /** Checks {@code commit} out in the machine's {@code workspace} on {@code branch}, as {@code user}. */
    void moveIn(Machine machine, String repository, String commit, String branch, String workspace, String user);

    /** Fetches a {@code repositoryDependencies} entry on the host and checks it out under {@code /deps/<name>}. */
    String moveInDependency(Machine machine, String repository, String user);

    /**
     * Commits what the agent left uncommitted (message {@code summary}), brings the branch out and
     * pushes it when {@code push}; returns the branch's head commit.
     */
    Handoff handOff(Machine machine, String repository, String branch, String workspace, String user, String summary,
            boolean push);

    /** A fetched source. */
    record Source(String commit, RepositoryTree tree, String remoteKey) {
    }

    /** A handed-off branch. */
    record Handoff(String commit, boolean pushed, boolean changed) {
    }
}
