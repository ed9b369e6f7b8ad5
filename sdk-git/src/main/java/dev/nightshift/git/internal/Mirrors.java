package dev.nightshift.git.internal;

import dev.nightshift.api.AuthenticationException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's mirror cache: one bare repository per remote under a directory, fetched with
 * credentials from {@link GitCredentials} passed to JGit in memory only (never in a URL or a
 * config file). Writers to one mirror (fetch, push, ref updates) are serialised by a lock that
 * holds across threads and processes; readers need none.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: {@link #close()} closes the open repositories.
 */
public final class Mirrors implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Mirrors.class);
    /** JVM-wide, because a {@link FileLock} is held per process, not per thread. */
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    private static final List<RefSpec> MIRROR_SPECS = List.of(new RefSpec("+refs/heads/*:refs/heads/*"),
            new RefSpec("+refs/tags/*:refs/tags/*"));

    /** More packs than this in a mirror trigger a repack after a fetch. */
    static final int MAX_PACKS = 32;

    private final Path root;
    private final GitCredentials credentials;
    private final Duration timeout;
    private final Map<Path, Repository> open;
    private final SshSessions ssh;
    /** Whether this is a view ({@link #withCredentials}) whose {@link #close()} leaves the shared state alone. */
    private final boolean view;

    public Mirrors(Path root, GitCredentials credentials, Duration timeout) {
        this.root = root.toAbsolutePath().normalize();
        this.credentials = credentials;
        this.timeout = timeout;
        this.open = new ConcurrentHashMap<>();
        this.ssh = new SshSessions(this.root.resolve(".ssh-home"),
                Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
        this.view = false;
    }

    private Mirrors(Mirrors shared, GitCredentials credentials) {
        this.root = shared.root;
        this.credentials = credentials;
        this.timeout = shared.timeout;
        this.open = shared.open;
        this.ssh = shared.ssh;
        this.view = true;
    }

    /**
     * The same mirrors (open repositories, SSH sessions, locks) asking {@code other} for
     * credentials; closing the view does nothing, closing this closes both.
     */
    public Mirrors withCredentials(GitCredentials other) {
        return new Mirrors(this, java.util.Objects.requireNonNull(other, "credentials"));
    }

    public Path root() {
        return root;
    }

    /** The mirror directory of {@code remote} (it may not exist yet). */
    public Path directory(Remote remote) {
        return root.resolve(remote.mirrorName() + ".git");
    }

    /** Runs {@code body} holding the write lock of {@code remote}'s mirror. */
    public <T> T locked(Remote remote, IoBody<T> body) {
        Path lockFile = root.resolve(remote.mirrorName() + ".lock");
        ReentrantLock lock = LOCKS.computeIfAbsent(lockFile, k -> new ReentrantLock());
        lock.lock();
        try {
            Files.createDirectories(root);
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                return body.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("mirror of " + remote + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Work done under a mirror lock. */
    @FunctionalInterface
    public interface IoBody<T> {
        T run() throws IOException;
    }

    /** The open mirror repository of {@code remote}, created (empty) when missing. */
    public Repository repository(Remote remote) {
        Path dir = directory(remote);
        Repository existing = open.get(dir);
        if (existing != null) {
            return existing;
        }
        if (!Files.isRegularFile(dir.resolve("HEAD"))) {
            locked(remote, () -> {
                if (!Files.isRegularFile(dir.resolve("HEAD"))) {
                    Path tmp = Files.createTempDirectory(root, ".init-");
                    try (Repository r = new FileRepositoryBuilder().setGitDir(tmp.toFile()).setBare().build()) {
                        r.create(true);
                        StoredConfig c = r.getConfig();
                        c.setBoolean("core", null, "logAllRefUpdates", false);
                        c.setString("nightshift", null, "remote", remote.key());
                        c.save();
                    }
                    Files.move(tmp, dir);
                }
                return null;
            });
        }
        return open.computeIfAbsent(dir, d -> {
            try {
                return MirrorRepository.open(d.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open mirror of " + remote + " at " + d, e);
            }
        });
    }

    /** The open mirror of {@code remote} if it exists on disk. */
    public Optional<Repository> existing(Remote remote) {
        return Files.isRegularFile(directory(remote).resolve("HEAD")) ? Optional.of(repository(remote)) : Optional.empty();
    }

    /**
     * Fetches every branch and tag of {@code remote} into its mirror and points the mirror's
     * {@code HEAD} at the remote's default branch.
     *
     * @return the remote's default branch ({@code refs/heads/...}), empty for a remote without branches
     */
    public Optional<String> fetch(Remote remote) {
        Repository repo = repository(remote);
        return locked(remote, () -> {
            long t0 = System.nanoTime();
            FetchResult result;
            try (Transport t = fetchTransport(repo, remote)) {
                t.setRemoveDeletedRefs(true);
                result = t.fetch(NullProgressMonitor.INSTANCE, MIRROR_SPECS);
            } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
                throw failure("fetch", remote, e);
            }
            compactIfNeeded(remote, repo);
            Optional<String> head = defaultBranch(result);
            if (head.isPresent()) {
                RefUpdate u = repo.updateRef(Constants.HEAD);
                u.disableRefLog();
                u.link(head.get());
            }
            LOG.debug("fetched {} into its mirror in {} ms", remote, (System.nanoTime() - t0) / 1_000_000);
            return head;
        });
    }

    /**
     * The transport the mirror fetches {@code remote} with: {@link LocalTransport} for a
     * repository on a local path, else JGit's own; credentials in memory, no tags beyond the
     * mirrored {@code refs/tags/*}, the configured timeout.
     */
    private Transport fetchTransport(Repository repo, Remote remote) throws IOException, java.net.URISyntaxException {
        URIish uri = uri(remote);
        Transport local = LocalTransport.openIfLocal(repo, uri);
        Transport t = local != null ? local : Transport.open(repo, uri);
        configure(t, remote);
        t.setTagOpt(TagOpt.NO_TAGS);
        return t;
    }

    /** Packs a mirror anew once incremental fetches have left many small packs (readers slow down). */
    private static void compactIfNeeded(Remote remote, Repository repo) {
        Path packs = repo.getDirectory().toPath().resolve("objects/pack");
        long count;
        try (var files = Files.list(packs)) {
            count = files.filter(p -> p.toString().endsWith(".pack")).count();
        } catch (IOException e) {
            return;
        }
        if (count > MAX_PACKS) {
            long t0 = System.nanoTime();
            try (Git git = Git.wrap(repo)) {
                // the replaced packs go at once (JGit's readers reopen the pack list when one vanishes)
                repo.getConfig().setString("gc", null, "prunePackExpire", "now");
                git.gc().setProgressMonitor(NullProgressMonitor.INSTANCE).call();
                LOG.debug("compacted the mirror of {} ({} packs) in {} ms", remote, count,
                        (System.nanoTime() - t0) / 1_000_000);
            } catch (GitAPIException | RuntimeException e) {
                LOG.warn("could not compact the mirror of {}: {}", remote, e.toString());
            }
        }
    }

    /** Fetches one commit by id (for a commit no branch or tag reaches); false when the remote refuses. */
    public boolean fetchCommit(Remote remote, ObjectId commit) {
        Repository repo = repository(remote);
        return locked(remote, () -> {
            try (Transport t = fetchTransport(repo, remote)) {
                t.fetch(NullProgressMonitor.INSTANCE,
                        List.of(new RefSpec(commit.name() + ":refs/nightshift/fetched/" + commit.name())));
                return repo.getObjectDatabase().has(commit);
            } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
                LOG.debug("remote {} did not serve commit {}: {}", remote, commit.name(), e.getClass().getSimpleName());
                return false;
            }
        });
    }

    private static Optional<String> defaultBranch(FetchResult result) {
        Ref head = result.getAdvertisedRef(Constants.HEAD);
        if (head == null) {
            return result.getAdvertisedRefs().stream().map(Ref::getName)
                    .filter(n -> n.startsWith(Constants.R_HEADS)).sorted(Mirrors::preferred).findFirst();
        }
        if (head.isSymbolic()) {
            return Optional.of(head.getTarget().getName());
        }
        ObjectId id = head.getObjectId();
        return result.getAdvertisedRefs().stream()
                .filter(r -> r.getName().startsWith(Constants.R_HEADS) && id != null && id.equals(r.getObjectId()))
                .map(Ref::getName).sorted(Mirrors::preferred).findFirst();
    }

    private static int preferred(String a, String b) {
        return Integer.compare(rank(a), rank(b)) != 0 ? Integer.compare(rank(a), rank(b)) : a.compareTo(b);
    }

    private static int rank(String ref) {
        return switch (ref) {
            case "refs/heads/main" -> 0;
            case "refs/heads/master" -> 1;
            default -> 2;
        };
    }

    /**
     * Resolves {@code ref} in the mirror: a full ref, a branch, a tag (peeled), or a commit id
     * (full or abbreviated to at least 7 hex digits).
     */
    public Optional<RevCommit> resolve(Repository repo, String ref) throws IOException {
        Ref r = null;
        if (ref.startsWith("refs/")) {
            r = repo.exactRef(ref);
        } else if (!ref.isEmpty()) {
            r = repo.exactRef(Constants.R_HEADS + ref);
            if (r == null) {
                r = repo.exactRef(Constants.R_TAGS + ref);
            }
        }
        ObjectId id = r == null ? null : r.getObjectId();
        if (id == null && ref.matches("[0-9a-fA-F]{7,40}")) {
            try (ObjectReader reader = repo.newObjectReader()) {
                Collection<ObjectId> ids = reader.resolve(AbbreviatedObjectId.fromString(ref.toLowerCase(java.util.Locale.ROOT)));
                if (ids.size() == 1) {
                    id = ids.iterator().next();
                } else if (ids.size() > 1) {
                    throw new NotFoundException("commit '" + ref + "' is ambiguous: " + ids.size()
                            + " objects start with it; give more hex digits");
                }
            }
        }
        if (id == null) {
            return Optional.empty();
        }
        try (RevWalk walk = new RevWalk(repo)) {
            return Optional.of(walk.parseCommit(id));
        } catch (org.eclipse.jgit.errors.MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            return Optional.empty();
        }
    }

    /** Branch names ({@code refs/heads/} stripped) on the remote right now. */
    public Set<String> remoteBranches(Remote remote) {
        try {
            Collection<Ref> refs = Git.lsRemoteRepository().setRemote(uri(remote).toString()).setHeads(true)
                    .setTransportConfigCallback(t -> configure(t, remote)).call();
            Set<String> names = new TreeSet<>();
            for (Ref r : refs) {
                if (r.getName().startsWith(Constants.R_HEADS)) {
                    names.add(r.getName().substring(Constants.R_HEADS.length()));
                }
            }
            return names;
        } catch (GitAPIException | java.net.URISyntaxException | RuntimeException e) {
            throw failure("list branches of", remote, e);
        }
    }

    /**
     * Pushes local ref {@code source} of the mirror to {@code refs/heads/<branch>} on the remote,
     * never forcing.
     */
    public RemoteRefUpdate push(Remote remote, String source, String branch) {
        Repository repo = repository(remote);
        String target = Constants.R_HEADS + branch;
        try (Transport t = Transport.open(repo, uri(remote))) {
            configure(t, remote);
            RemoteRefUpdate update = new RemoteRefUpdate(repo, source, target, false, null, null);
            PushResult result = t.push(NullProgressMonitor.INSTANCE, List.of(update));
            return result.getRemoteUpdate(target);
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            throw failure("push to", remote, e);
        }
    }

    /** Points {@code ref} of the mirror at {@code id} (forced; only for Nightshift's own refs and mirrored heads). */
    public void setRef(Remote remote, String ref, ObjectId id) {
        Repository repo = repository(remote);
        locked(remote, () -> {
            update(repo, remote, ref, id);
            return null;
        });
    }

    private static void update(Repository repo, Remote remote, String ref, ObjectId id) throws IOException {
        RefUpdate u = repo.updateRef(ref);
        u.setNewObjectId(id);
        u.setForceUpdate(true);
        u.disableRefLog();
        RefUpdate.Result r = u.update();
        switch (r) {
            case NEW, FORCED, FAST_FORWARD, NO_CHANGE -> { }
            default -> throw new IOException("cannot set " + ref + " in the mirror of " + remote + ": " + r);
        }
    }

    /**
     * Takes the v2 bundle {@code file} (from a machine) into the mirror of {@code remote}, checked
     * as {@link IncomingBundle} describes, and points {@code targetRef} at the commit the bundle
     * names for {@code sourceRef}, under one hold of the lock (so no repack in between can drop
     * the new objects); returns that commit.
     *
     * @throws IllegalArgumentException when the bundle is refused; its message says why
     */
    public ObjectId receiveBundle(Remote remote, Path file, String sourceRef, String targetRef) {
        Repository repo = repository(remote);
        try {
            return locked(remote, () -> {
                ObjectId id = IncomingBundle.take(repo, file, sourceRef);
                update(repo, remote, targetRef, id);
                return id;
            });
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof IncomingBundle.Invalid invalid) {
                throw new IllegalArgumentException(invalid.getMessage(), invalid);
            }
            throw e;
        }
    }

    /**
     * The URL JGit connects to: the remote's own, and for an ssh remote that names no user, the
     * user of its SSH key credential (usually {@code git}).
     */
    private URIish uri(Remote remote) throws java.net.URISyntaxException {
        URIish uri = new URIish(remote.url());
        if (isSsh(remote) && (uri.getUser() == null || uri.getUser().isEmpty())) {
            Optional<GitCredential> c = credentials.credentialFor(remote.credentialUri())
                    .filter(cred -> cred.type() == GitCredential.Type.SSH_KEY);
            uri = uri.setUser(c.map(GitCredential::username).orElse("git"));
        }
        return uri;
    }

    /** Credentials (in memory), the SSH session of an ssh remote, and the timeout. */
    private void configure(Transport t, Remote remote) {
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

    @Override
    public void close() {
        if (view) {
            return;
        }
        ssh.close();
        open.values().forEach(Repository::close);
        open.clear();
    }
}
