package dev.nightshift.core.internal;

import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.spi.AgentGitCredentials;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.git.GitHost;
import dev.nightshift.git.PushGuard;
import java.nio.file.Path;

/**
 * {@link GitPort} over sdk-git's {@link GitHost}: mirrors, bundles and pushes on the host. The
 * engine-level port uses the engine's {@link GitCredentials}; {@link #forAgent} gives a view of
 * the same host (same mirrors) whose fetches and pushes use the agent's own credentials, as
 * {@link AgentGitCredentials} chooses them from the agent's stored request.
 */
public final class JGitPort implements GitPort, AutoCloseable {
    private final GitHost host;
    private final AgentGitCredentials perAgent;
    private final boolean view;

    public JGitPort(Path mirrors, GitCredentials credentials, AgentGitCredentials perAgent, String branchPrefix,
            String authorName, String authorEmail, PushGuard guard) {
        this.host = GitHost.builder(mirrors).credentials(credentials).branchPrefix(branchPrefix)
                .author(authorName, authorEmail).pushGuard(guard).build();
        this.perAgent = perAgent;
        this.view = false;
    }

    private JGitPort(GitHost view) {
        this.host = view;
        this.perAgent = null;
        this.view = true;
    }

    @Override
    public GitPort forAgent(AgentRequest request) {
        if (view) {
            return this;
        }
        GitCredentials c = perAgent.credentialsFor(request);
        if (c == null) {
            throw new IllegalStateException("AgentGitCredentials answered null for an agent; answer GitCredentials.NONE");
        }
        return new JGitPort(host.withCredentials(c));
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
