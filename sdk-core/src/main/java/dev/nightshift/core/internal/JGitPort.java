package dev.nightshift.core.internal;

import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.git.GitHost;
import dev.nightshift.git.PushGuard;
import java.nio.file.Path;

/** {@link GitPort} over sdk-git's {@link GitHost}: mirrors, bundles and pushes on the host. */
public final class JGitPort implements GitPort, AutoCloseable {
    private final GitHost host;

    public JGitPort(Path mirrors, GitCredentials credentials, String branchPrefix, String authorName,
            String authorEmail, PushGuard guard) {
        this.host = GitHost.builder(mirrors).credentials(credentials).branchPrefix(branchPrefix)
                .author(authorName, authorEmail).pushGuard(guard).build();
    }

    @Override
    public Source fetch(String repository, String ref) {
        GitHost.Source s = host.fetch(repository, ref);
        return new Source(s.commit(), s.tree(), s.remoteKey());
    }

    @Override
    public String branchName(String repository, String prompt, String requested) {
        return host.branchName(repository, prompt, requested);
    }

    @Override
    public String treeDigest(String repository, String commit, String path) {
        return host.treeDigest(repository, commit, path);
    }

    @Override
    public void export(String repository, String commit, String path, Path dir) {
        host.export(repository, commit, path, dir);
    }

    @Override
    public void moveIn(Machine machine, String repository, String commit, String branch, String workspace, String user) {
        host.moveIn(machine, repository, commit, branch, workspace, user);
    }

    @Override
    public String moveInDependency(Machine machine, String repository, String user) {
        return host.moveInDependency(machine, repository, user);
    }

    @Override
    public Handoff handOff(Machine machine, String repository, String branch, String workspace, String user,
            String summary, boolean push) {
        GitHost.Handoff h = host.handOff(machine, repository, branch, workspace, user, summary, push);
        return new Handoff(h.commit(), h.pushed(), h.changed());
    }

    @Override
    public void close() {
        host.close();
    }
}
