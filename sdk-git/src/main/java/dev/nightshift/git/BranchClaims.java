package dev.nightshift.git;

import dev.nightshift.api.ConflictException;
import dev.nightshift.git.internal.BranchNames;
import dev.nightshift.git.internal.Mirrors;
import dev.nightshift.git.internal.Remote;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.lib.Ref;

/**
 * The branch names a {@link GitHost} hands to agents (see {@link GitHost#branchName}): a name is
 * free when neither the remote, nor the mirror's {@code refs/nightshift/base/*}, nor an earlier
 * claim of this host has it (or clashes with it as a directory).
 *
 * <p>Thread-safety: thread-safe; claims are made under a lock on the set of names handed out.
 * Lifecycle: lives as long as its host; views of the host share it.
 */
final class BranchClaims {
    private final BranchNames names;
    /** {@code <remote key> <branch>} of every name handed out. */
    private final Set<String> handedOut = ConcurrentHashMap.newKeySet();

    BranchClaims(BranchNames names) {
        this.names = names;
    }

    /** A free name for an agent on {@code remote}: {@code requested} when it is free, else one made from {@code prompt}. */
    String claim(Mirrors mirrors, Remote remote, String prompt, String requested) {
        if (requested != null) {
            BranchNames.validate(requested);
        }
        Set<String> taken = new HashSet<>(mirrors.remoteBranches(remote));
        String mine = remote.key() + " ";
        taken.addAll(handedOut(mine));
        mirrors.existing(remote).ifPresent(repo -> {
            try {
                for (Ref r : repo.getRefDatabase().getRefsByPrefix(GitHost.BASE)) {
                    taken.add(r.getName().substring(GitHost.BASE.length()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (requested != null) {
            if (BranchNames.clashes(requested, taken)) {
                throw new ConflictException("branch '" + requested + "' already exists on " + remote
                        + " (or clashes with one as a directory); choose another name or leave it to Nightshift");
            }
            synchronized (handedOut) {
                if (!handedOut.add(mine + requested)) {
                    throw new ConflictException("branch '" + requested + "' was just handed to another agent on "
                            + remote + "; choose another name");
                }
            }
            return requested;
        }
        synchronized (handedOut) {
            taken.addAll(handedOut(mine));
            String name = names.unique(prompt, taken, 64);
            handedOut.add(mine + name);
            return name;
        }
    }

    /** Names handed out for the remote whose key (plus a space) is {@code prefix}. */
    private List<String> handedOut(String prefix) {
        return handedOut.stream().filter(n -> n.startsWith(prefix)).map(n -> n.substring(prefix.length())).toList();
    }
}
