package dev.nightshift.git.internal;

import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.spi.GitCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
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
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
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
    private final RemoteAccess access;
    private final Map<Path, Repository> open;
    /** Whether this is a view ({@link #withCredentials}) whose {@link #close()} leaves the shared state alone. */
    private final boolean view;

    public Mirrors(Path root, GitCredentials credentials, Duration timeout) {
        this.root = root.toAbsolutePath().normalize();
        this.access = new RemoteAccess(credentials, timeout, new SshSessions(this.root.resolve(".ssh-home"),
                Path.of(System.getProperty("user.home"), ".ssh", "known_hosts")));
        this.open = new ConcurrentHashMap<>();
        this.view = false;
    }

    private Mirrors(Mirrors shared, GitCredentials credentials) {
        this.root = shared.root;
        this.access = shared.access.withCredentials(credentials);
        this.open = shared.open;
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
                throw access.failure("fetch", remote, e);
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
        URIish uri = access.uri(remote);
        Transport local = LocalTransport.openIfLocal(repo, uri);
        Transport t = local != null ? local : Transport.open(repo, uri);
        access.configure(t, remote);
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
            Collection<Ref> refs = Git.lsRemoteRepository().setRemote(access.uri(remote).toString()).setHeads(true)
                    .setTransportConfigCallback(t -> access.configure(t, remote)).call();
            Set<String> names = new TreeSet<>();
            for (Ref r : refs) {
                if (r.getName().startsWith(Constants.R_HEADS)) {
                    names.add(r.getName().substring(Constants.R_HEADS.length()));
                }
            }
            return names;
        } catch (GitAPIException | java.net.URISyntaxException | RuntimeException e) {
            throw access.failure("list branches of", remote, e);
        }
    }

    /**
     * Pushes local ref {@code source} of the mirror to {@code refs/heads/<branch>} on the remote,
     * never forcing.
     */
    public RemoteRefUpdate push(Remote remote, String source, String branch) {
        Repository repo = repository(remote);
        String target = Constants.R_HEADS + branch;
        try (Transport t = Transport.open(repo, access.uri(remote))) {
            access.configure(t, remote);
            RemoteRefUpdate update = new RemoteRefUpdate(repo, source, target, false, null, null);
            PushResult result = t.push(NullProgressMonitor.INSTANCE, List.of(update));
            return result.getRemoteUpdate(target);
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            throw access.failure("push to", remote, e);
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

    @Override
    public void close() {
        if (view) {
            return;
        }
        access.close();
        open.values().forEach(Repository::close);
        open.clear();
    }
}
