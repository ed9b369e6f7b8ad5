package dev.nightshift.git;

import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.PushRejectedException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.git.internal.BranchNames;
import dev.nightshift.git.internal.InMachine;
import dev.nightshift.git.internal.Mirrors;
import dev.nightshift.git.internal.Remote;
import dev.nightshift.api.spec.RepositoryTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntSupplier;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Git on the host: fetches repositories into a mirror cache, names branches, reads trees at a
 * commit, and moves commits into and out of a {@link Machine} as git bundles. Credentials come
 * from {@link GitCredentials} and stay on the host: they are handed to JGit in memory for each
 * fetch or push (a password or token by HTTP basic auth, an SSH key over JGit's Apache MINA
 * SSHD transport with the server's host key checked) and never written to a URL, a config file,
 * a machine, a log or an exception.
 *
 * <p>Refs Nightshift keeps in a mirror (never pushed): {@code refs/nightshift/base/<branch>}
 * (the commit moved into a machine), {@code refs/nightshift/handoff/<branch>} (the last
 * verified handoff), {@code refs/nightshift/rejected/<branch>/<n>} (commits of a refused push).
 *
 * <p><b>Thread-safety:</b> thread-safe; share one instance. Several instances, even in other
 * processes, may share a cache directory: writes to a mirror are serialised by a file lock.
 * <b>Lifecycle:</b> create with {@link #builder(Path)}; {@link #close()} closes the open mirror
 * repositories, after which {@link Source#tree()} trees may no longer be read.
 *
 * <pre>{@code
 * try (GitHost git = GitHost.builder(Path.of("/var/cache/nightshift/git"))
 *         .credentials(GitCredentials.forHost("github.com", GitCredential.token(token)))
 *         .author("Nightshift", "nightshift@example.com")
 *         .build()) {
 *     GitHost.Source src = git.fetch("https://github.com/acme/app", null);
 *     String branch = git.branchName("https://github.com/acme/app", "Fix the login bug", null);
 *     git.moveIn(machine, "https://github.com/acme/app", src.commit(), branch, "/workspace", "ubuntu");
 *     // ... the agent works ...
 *     GitHost.Handoff h = git.handOff(machine, "https://github.com/acme/app", branch, "/workspace",
 *             "ubuntu", "Fix the login bug", true);
 * }
 * }</pre>
 */
public final class GitHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GitHost.class);
    static final String BASE = "refs/nightshift/base/";
    static final String HANDOFF = "refs/nightshift/handoff/";
    static final String REJECTED = "refs/nightshift/rejected/";
    static final String IN = "refs/nightshift/in";

    private final Builder config;
    private final Mirrors mirrors;
    private final BranchClaims branches;
    /** The commit last moved into each workspace of a running machine (see {@link MoveIn}). */
    private final MovedInCommits movedIn;
    /** Whether this is a view ({@link #withCredentials}), whose {@link #close()} does nothing. */
    private final boolean view;

    private GitHost(Builder b) {
        this.config = b;
        this.mirrors = new Mirrors(b.cacheDirectory, b.credentials, b.timeout);
        this.branches = new BranchClaims(new BranchNames(b.branchPrefix, b.random));
        this.movedIn = new MovedInCommits();
        this.view = false;
    }

    private GitHost(GitHost shared, GitCredentials credentials) {
        this.config = shared.config;
        this.mirrors = shared.mirrors.withCredentials(credentials);
        this.branches = shared.branches;
        this.movedIn = shared.movedIn;
        this.view = true;
    }

    /**
     * This host with other credentials: the same mirrors, branch names and moved-in state, but
     * every fetch and push it makes (the repository, its submodules, dependencies) asks
     * {@code credentials}. A service serving several owners keeps one host and takes a view per
     * owner, so an owner's fetch never uses another's token; the mirror is shared, but every
     * {@link #fetch} contacts the remote with the view's credentials first, so a refused owner
     * gets the remote's refusal, not the mirror's copy. Closing a view does nothing; closing this
     * host ends its views too.
     */
    public GitHost withCredentials(GitCredentials credentials) {
        return new GitHost(this, Objects.requireNonNull(credentials, "credentials"));
    }

    /** A builder whose mirrors live under {@code cacheDirectory} (created when missing). */
    public static Builder builder(Path cacheDirectory) {
        return new Builder(cacheDirectory);
    }

    /** The configured branch prefix. */
    public String branchPrefix() {
        return config.branchPrefix;
    }

    /** The cache directory holding one bare mirror per remote. */
    public Path cacheDirectory() {
        return mirrors.root();
    }

    /** The normalised key of {@code repository} (equal for every spelling of one remote). */
    public static String remoteKey(String repository) {
        return Remote.parse(repository).key();
    }

    /**
     * Fetches {@code repository} into its host mirror and resolves {@code ref} there.
     *
     * @param repository the remote URL ({@code https://…}, {@code http://…}, {@code ssh://…},
     *     {@code git@host:org/repo}, {@code file:///…}, an absolute path or {@code host/org/repo});
     *     never with a password in it. An ssh remote is fetched with the SSH key
     *     {@link GitCredentials} gives for it, over JGit's Apache MINA SSHD transport, and only
     *     from a server whose host key the credential pins (or the user's
     *     {@code ~/.ssh/known_hosts} holds); nothing from {@code ~/.ssh/config} or
     *     {@code ~/.ssh/id_*} is used
     * @param ref a branch, tag, full ref or commit id; {@code null} for the remote's default branch
     * @return the commit, a tree over it, and the remote's key
     * @throws NotFoundException for a ref the remote does not have (the message lists some branches)
     * @throws dev.nightshift.api.AuthenticationException when the remote refuses the credentials
     * @throws ValidationException for a malformed URL, one holding credentials, or an SSH key that
     *     cannot be read (garbled, or encrypted without the right passphrase)
     */
    public Source fetch(String repository, String ref) {
        return MirrorSources.fetch(mirrors, repository, ref);
    }

    /**
     * A branch name for an agent on {@code repository}.
     *
     * @param prompt the agent's prompt, slugged into the name ({@code task} when it has no usable word)
     * @param requested a caller-chosen name, or {@code null}; it is validated, never trusted
     * @return {@code <prefix>/<slug>-<4 hex>}, not present on the remote, or {@code requested}
     * @throws ValidationException for a requested name that breaks the rules
     * @throws ConflictException for a requested name that already exists on the remote
     */
    public String branchName(String repository, String prompt, String requested) {
        return branches.claim(mirrors, Remote.parse(repository), prompt, requested);
    }

    /**
     * A digest of the tree or file at {@code path} in {@code commit} (for build cache keys), or
     * {@code ""} when nothing is there. The commit must be in the mirror (see {@link #fetch}).
     */
    public String treeDigest(String repository, String commit, String path) {
        return MirrorSources.treeDigest(mirrors, repository, commit, path);
    }

    /**
     * Writes the tree at {@code path} in {@code commit} into {@code dir} (created when missing):
     * files with their executable bit, symbolic links as links, submodules as empty directories.
     * A file at {@code path} is written as {@code dir/<its name>}.
     *
     * @throws NotFoundException when nothing is at {@code path}
     */
    public void export(String repository, String commit, String path, Path dir) {
        MirrorSources.export(mirrors, repository, commit, path, dir);
    }

    /** A tree over {@code commit} as it is in the mirror. */
    public RepositoryTree tree(String repository, String commit) {
        return MirrorSources.commitTree(mirrors, repository, commit);
    }

    /**
     * Moves {@code commit} into the machine: a git bundle (thin when the workspace already holds
     * an ancestor) is copied in, fetched by git in the machine, and checked out on {@code branch}
     * with the configured author identity. {@code origin} in the machine points at the remote's
     * URL without credentials; the machine's git config holds none. Submodules are fetched on the
     * host and moved in the same way. This host remembers the commit it last moved into each
     * workspace of a machine: the next move-in there sends a bundle thin against it in one exec,
     * and asks the machine what it holds first only when that commit is no longer there.
     *
     * @param branch the agent's branch ({@link #branchName}), or {@code null} for a detached checkout
     * @param workspace the directory in the machine ({@code /workspace}); created when missing
     * @param user the machine user that owns the checkout, or {@code null} for the machine's default
     */
    public void moveIn(Machine machine, String repository, String commit, String branch, String workspace, String user) {
        if (branch != null) {
            BranchNames.validate(branch);
        }
        MoveIn.run(this, machine, Remote.parse(repository), commit, branch, workspace, user);
    }

    /**
     * Moves a {@code repositoryDependencies} entry into the machine: fetches its default branch on
     * the host and checks it out under {@code /deps/<name>}.
     *
     * @return the directory in the machine
     */
    public String moveInDependency(Machine machine, String repository, String user) {
        Remote remote = Remote.parse(repository);
        Source s = fetch(repository, null);
        String dir = "/deps/" + remote.shortName();
        String branch = mirrors.existing(remote).map(r -> {
            try {
                Ref head = r.exactRef(Constants.HEAD);
                return head != null && head.isSymbolic()
                        ? Repository.shortenRefName(head.getTarget().getName()) : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).orElse(null);
        MoveIn.run(this, machine, remote, s.commit(), branch, dir, user);
        return dir;
    }

    /**
     * Hands the agent's work back: commits what it left uncommitted (message {@code summary}),
     * bundles the branch out of the machine ({@code git bundle create --version=2}), verifies the
     * bundle in the host mirror, asks the {@link PushGuard}, and pushes with credentials when
     * {@code push} is set. Never forces.
     *
     * @return the branch tip, whether the remote now has it, and whether it moved since the last handoff
     * @throws PushRejectedException when the remote refuses the push (for example not a
     *     fast-forward); the commits stay under {@link PushRejectedException#preservedRef()}
     *     ({@link PushRejectedException#refusedBy()} {@code REMOTE}), or the guard refuses ({@code GUARD}:
     *     nothing was sent)
     */
    public Handoff handOff(Machine machine, String repository, String branch, String workspace, String user,
            String summary, boolean push) {
        BranchNames.validate(branch);
        return HandOff.run(this, machine, Remote.parse(repository), branch, workspace, user, summary, true, push);
    }

    /**
     * Hands back the branch's commits as they stand, without looking at the work tree: what the
     * workspace holds uncommitted (changed, staged or new files) stays there and is not pushed.
     * Otherwise as {@link #handOff}: bundled out, verified in the host mirror, guarded, pushed
     * when {@code push} is set, never forced. For callers whose agent commits its own work, or
     * who want only its explicit commits pushed (nothing swept in from build output the
     * repository does not ignore); it also skips the scan of the work tree that
     * {@link #handOff} needs to find leftovers (for 10,000 files, 20-25 ms on a 2-core machine).
     *
     * @return the branch tip, whether the remote now has it, and whether it moved since the last handoff
     * @throws NightshiftException when the workspace is not on {@code branch} or has no commit
     * @throws PushRejectedException when the remote refuses the push; the commits stay under
     *     {@link PushRejectedException#preservedRef()}
     *     ({@link PushRejectedException#refusedBy()} {@code REMOTE}), or the guard refuses ({@code GUARD}:
     *     nothing was sent)
     */
    public Handoff handOffCommits(Machine machine, String repository, String branch, String workspace, String user,
            boolean push) {
        BranchNames.validate(branch);
        return HandOff.run(this, machine, Remote.parse(repository), branch, workspace, user, null, false, push);
    }

    Mirrors mirrors() {
        return mirrors;
    }

    Builder config() {
        return config;
    }

    /** What this host moved into each workspace of a machine. */
    MovedInCommits movedIn() {
        return movedIn;
    }

    InMachine inMachine(Machine machine) {
        return new InMachine(machine, config.timeout);
    }

    static String printable(String s) {
        return s == null ? "null" : s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** Closes the open mirror repositories. Idempotent. */
    @Override
    public void close() {
        if (view) {
            return;
        }
        mirrors.close();
    }

    /**
     * A resolved source: the commit, a tree over it in the mirror, and the remote's key.
     *
     * <p><b>Thread-safety:</b> immutable; the tree is safe for concurrent reads. <b>Lifecycle:</b>
     * the tree is readable until the {@link GitHost} is closed.
     *
     * @param commit the full commit id
     * @param tree the commit's files
     * @param remoteKey the remote's normalised key (for cache keys; holds no credential)
     */
    public record Source(String commit, RepositoryTree tree, String remoteKey) {
        public Source {
            Objects.requireNonNull(commit, "commit");
            Objects.requireNonNull(tree, "tree");
            Objects.requireNonNull(remoteKey, "remoteKey");
        }
    }

    /**
     * The outcome of {@link #handOff} and {@link #handOffCommits}.
     *
     * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
     *
     * @param commit the branch tip in the machine after committing leftovers
     * @param pushed whether the remote's branch now points at {@code commit}
     * @param changed whether the tip moved since the last handoff (or since the move in)
     */
    public record Handoff(String commit, boolean pushed, boolean changed) {
        public Handoff {
            Objects.requireNonNull(commit, "commit");
        }
    }

    /**
     * The SHA-1 implementation JGit computes object ids with (see {@link Builder#sha1}). JGit reads
     * the choice from the system property {@value #SHA1_PROPERTY} each time it starts a hash,
     * else from {@code core.sha1Implementation} in the user's git config (read once), else it uses
     * its own collision-detecting Java SHA-1. The choice is therefore JVM-wide: it cannot be made
     * for one {@link GitHost} alone.
     *
     * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
     */
    public enum Sha1 {
        /**
         * Leave the JVM as the host application configured it (the default): JGit's
         * collision-detecting SHA-1 unless the property or the user's git config says otherwise.
         * It detects the known SHA-1 collision attacks (SHAttered) in objects fetched from a remote
         * or handed off by a machine, as the git CLI does, at about twice the hashing cost.
         */
        AS_CONFIGURED,
        /**
         * The JDK's {@code MessageDigest} SHA-1: fetching and indexing a pack take about half the
         * time, but objects crafted to collide are no longer detected. {@link Builder#build()}
         * sets {@value #SHA1_PROPERTY} to {@code jdkNative} for the whole JVM (every JGit user in
         * it), and refuses when the host application already set it to something else.
         */
        JDK_NATIVE
    }

    /** The system property JGit reads its SHA-1 implementation from. */
    public static final String SHA1_PROPERTY = "org.eclipse.jgit.util.sha1.implementation";

    /**
     * Configures a {@link GitHost}.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> reusable; {@link #build()}
     * takes a copy, so later changes do not affect hosts already built.
     */
    public static final class Builder {
        private final Path cacheDirectory;
        private GitCredentials credentials = GitCredentials.NONE;
        private String branchPrefix = "nightshift";
        private String authorName = "Nightshift";
        private String authorEmail = "nightshift@localhost";
        private PushGuard pushGuard = PushGuard.ALLOW_ALL;
        private Duration timeout = Duration.ofMinutes(10);
        private IntSupplier random = new SecureRandom()::nextInt;
        private Sha1 sha1 = Sha1.AS_CONFIGURED;

        private Builder(Path cacheDirectory) {
            this.cacheDirectory = Objects.requireNonNull(cacheDirectory, "cacheDirectory");
        }

        /** Where credentials come from (default: none). */
        public Builder credentials(GitCredentials value) {
            credentials = Objects.requireNonNull(value, "credentials");
            return this;
        }

        /** The first segment(s) of generated branch names (default {@code nightshift}). */
        public Builder branchPrefix(String value) {
            branchPrefix = Objects.requireNonNull(value, "branchPrefix");
            return this;
        }

        /** The identity of the agent's commits. */
        public Builder author(String name, String email) {
            authorName = Objects.requireNonNull(name, "name");
            authorEmail = Objects.requireNonNull(email, "email");
            return this;
        }

        /** Asked before every push (default: allow all). */
        public Builder pushGuard(PushGuard value) {
            pushGuard = Objects.requireNonNull(value, "pushGuard");
            return this;
        }

        /** Limit for one network operation or one command in a machine (default 10 minutes). */
        public Builder timeout(Duration value) {
            timeout = Objects.requireNonNull(value, "timeout");
            return this;
        }

        /**
         * The SHA-1 implementation of JGit (default {@link Sha1#AS_CONFIGURED}: the JVM's
         * configuration, collision-detecting unless the host application chose otherwise).
         * {@link Sha1#JDK_NATIVE} is a JVM-wide choice that {@link #build()} makes (see there).
         */
        public Builder sha1(Sha1 value) {
            sha1 = Objects.requireNonNull(value, "sha1");
            return this;
        }

        /** The source of branch-name suffixes (tests make collisions happen with it). */
        Builder random(IntSupplier value) {
            random = Objects.requireNonNull(value, "random");
            return this;
        }

        String authorName() {
            return authorName;
        }

        String authorEmail() {
            return authorEmail;
        }

        PushGuard pushGuard() {
            return pushGuard;
        }

        /**
         * Builds the host. With {@link Sha1#JDK_NATIVE} it first sets the system property
         * {@value GitHost#SHA1_PROPERTY} to {@code jdkNative} (JVM-wide, kept after
         * {@link GitHost#close()}, since other hosts may rely on it).
         *
         * @throws IllegalStateException for {@link Sha1#JDK_NATIVE} when the host application set
         *     {@value GitHost#SHA1_PROPERTY} to another implementation (a GitHost never overrides it)
         */
        public GitHost build() {
            BranchNames.validate(branchPrefix);
            for (String s : new String[] {authorName, authorEmail}) {
                if (s.isBlank() || s.chars().anyMatch(c -> c < 0x20 || c == '<' || c == '>')) {
                    throw new IllegalArgumentException("author name and email must be non-blank, one line, without < or >");
                }
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            if (sha1 == Sha1.JDK_NATIVE) {
                useJdkSha1();
            }
            Builder copy = new Builder(cacheDirectory);
            copy.credentials = credentials;
            copy.branchPrefix = branchPrefix;
            copy.authorName = authorName;
            copy.authorEmail = authorEmail;
            copy.pushGuard = pushGuard;
            copy.timeout = timeout;
            copy.random = random;
            copy.sha1 = sha1;
            return new GitHost(copy);
        }

        private static void useJdkSha1() {
            synchronized (Sha1.class) {
                String set = System.getProperty(SHA1_PROPERTY);
                if (set == null) {
                    System.setProperty(SHA1_PROPERTY, "jdkNative");
                    LOG.info("JGit in this JVM now hashes with the JDK's SHA-1 ({}=jdkNative, GitHost.Sha1.JDK_NATIVE)",
                            SHA1_PROPERTY);
                } else if (!"jdkNative".equalsIgnoreCase(set.strip())) {
                    throw new IllegalStateException("GitHost.Sha1.JDK_NATIVE asked for, but the JVM already has "
                            + SHA1_PROPERTY + "=" + printable(set) + "; a GitHost does not override it (use "
                            + "Sha1.AS_CONFIGURED, or drop the property)");
                }
            }
        }
    }
}
