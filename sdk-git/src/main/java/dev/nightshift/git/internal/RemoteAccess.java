package dev.nightshift.git.internal;

import dev.nightshift.api.AuthenticationException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * How the mirrors reach a remote: the URL JGit connects to, the credentials handed to JGit in
 * memory for one transport (HTTP basic auth bound to the remote's host, or an SSH session with the
 * key and pinned host key), the timeout, and JGit's failures mapped to the exceptions a caller can
 * act on, with no credential in them.
 *
 * <p>Thread-safety: thread-safe (immutable; the SSH sessions are shared and thread-safe).
 * Lifecycle: {@link #close()} closes the SSH sessions, shared with every view made by
 * {@link #withCredentials}.
 */
final class RemoteAccess implements AutoCloseable {
    private final GitCredentials credentials;
    private final Duration timeout;
    private final SshSessions ssh;

    RemoteAccess(GitCredentials credentials, Duration timeout, SshSessions ssh) {
        this.credentials = credentials;
        this.timeout = timeout;
        this.ssh = ssh;
    }

    /** The same SSH sessions and timeout asking {@code other} for credentials. */
    RemoteAccess withCredentials(GitCredentials other) {
        return new RemoteAccess(other, timeout, ssh);
    }

    /**
     * The URL JGit connects to: the remote's own, and for an ssh remote that names no user, the
     * user of its SSH key credential (usually {@code git}).
     */
    URIish uri(Remote remote) throws java.net.URISyntaxException {
        URIish uri = new URIish(remote.url());
        if (isSsh(remote) && (uri.getUser() == null || uri.getUser().isEmpty())) {
            Optional<GitCredential> c = credentials.credentialFor(remote.credentialUri())
                    .filter(cred -> cred.type() == GitCredential.Type.SSH_KEY);
            uri = uri.setUser(c.map(GitCredential::username).orElse("git"));
        }
        return uri;
    }

    /** Credentials (in memory), the SSH session of an ssh remote, and the timeout. */
    void configure(Transport t, Remote remote) {
        if (t instanceof org.eclipse.jgit.transport.SshTransport sshTransport) {
            sshTransport.setSshSessionFactory(ssh.factory(credentials.credentialFor(remote.credentialUri())));
        } else {
            t.setCredentialsProvider(provider(remote));
        }
        t.setTimeout(seconds());
    }

    private static boolean isSsh(Remote remote) {
        return "ssh".equalsIgnoreCase(remote.uri().getScheme());
    }

    CredentialsProvider provider(Remote remote) {
        if (remote.isLocal() || isSsh(remote)) {
            return null;
        }
        Optional<GitCredential> c = credentials.credentialFor(remote.credentialUri())
                .filter(cred -> cred.type() == GitCredential.Type.PASSWORD);
        return c.map(cred -> (CredentialsProvider) new HostBound(remote.uri().getHost(), cred)).orElse(null);
    }

    /** Answers only for the remote's own host, so a redirect elsewhere gets no credential. */
    private static final class HostBound extends UsernamePasswordCredentialsProvider {
        private final String host;

        HostBound(String host, GitCredential credential) {
            super(credential.username(), credential.secret());
            this.host = host;
        }

        @Override
        public boolean get(URIish uri, org.eclipse.jgit.transport.CredentialItem... items) {
            return host != null && host.equalsIgnoreCase(uri.getHost()) && super.get(uri, items);
        }
    }

    private boolean hasCredential(Remote remote) {
        return !remote.isLocal() && credentials.credentialFor(remote.credentialUri()).isPresent();
    }

    private int seconds() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
    }

    /** Maps a JGit failure to the exception a caller can act on, without any credential in it. */
    NightshiftException failure(String what, Remote remote, Exception e) {
        if (e instanceof NightshiftException ours) {
            return ours;
        }
        String text = chainText(e).toLowerCase(java.util.Locale.ROOT);
        String subject = what + " " + remote;
        if (isSsh(remote)) {
            Optional<String> refused = ssh.rejectedHostKey(remote.uri().getHost(), remote.uri().getPort());
            if (refused.isPresent() && (text.contains("server key") || text.contains("host key")
                    || text.contains("did not validate") || text.contains("key exchange"))) {
                return new AuthenticationException(subject + " failed: the SSH host key of " + remote.uri().getHost()
                        + (remote.uri().getPort() < 0 ? "" : ":" + remote.uri().getPort()) + " is not known: "
                        + refused.get() + "; if it is the server's key, pin it (nightshift git-credentials set "
                        + remote.uri().getHost() + " --kind ssh-key --host-key '" + refused.get().replaceFirst(" .*", "")
                        + "') or add it to ~/.ssh/known_hosts", e);
            }
        }
        if (text.contains("not authorized") || text.contains("authentication is required")
                || text.contains("authentication not supported") || text.contains("not permitted")
                || text.contains("auth fail") || text.contains("cannot log in")
                || text.contains("no more authentication methods")) {
            String host = remote.uri().getHost() + (remote.uri().getPort() < 0 ? "" : ":" + remote.uri().getPort());
            String given = hasCredential(remote)
                    ? "the remote refused the credential GitCredentials supplied for " + host + " (user '"
                            + credentials.credentialFor(remote.credentialUri()).map(GitCredential::username).orElse("") + "')"
                    : "the remote requires credentials and GitCredentials supplied none for " + host;
            return new AuthenticationException(subject + " failed: " + given + (isSsh(remote)
                    ? "; check the SSH key and that the server accepts it for this repository"
                    : "; check the token or password and its access to this repository"), e);
        }
        if (e instanceof NoRemoteRepositoryException || e.getCause() instanceof NoRemoteRepositoryException
                || text.contains("repository not found") || text.contains("not found")
                || text.contains("does not appear to be a git repository")) {
            return new NotFoundException(subject + " failed: no git repository at " + remote
                    + "; check the URL", e);
        }
        if (text.contains("timeout") || text.contains("timed out")) {
            return new NightshiftTimeoutException(subject + " failed: no answer within " + timeout, e);
        }
        return new NightshiftException(subject + " failed: " + Remote.redact(String.valueOf(e.getMessage())), e);
    }

    private static String chainText(Throwable e) {
        StringBuilder b = new StringBuilder();
        List<Throwable> seen = new ArrayList<>();
        for (Throwable t = e; t != null && !seen.contains(t); t = t.getCause()) {
            seen.add(t);
            b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
        }
        return b.toString();
    }

    /** Closes the SSH sessions. */
    @Override
    public void close() {
        ssh.close();
    }
}
