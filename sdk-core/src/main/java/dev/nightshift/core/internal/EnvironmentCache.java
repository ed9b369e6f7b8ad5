package dev.nightshift.core.internal;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.BuildFailedException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.ResourceLimits;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.spec.BaseKind;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.common.FileTrees;
import dev.nightshift.common.Hashing;
import dev.nightshift.secrets.Redactor;
import dev.nightshift.git.GitHost;
import dev.nightshift.spec.ResolvedSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Prepared environments: the build (base by precedence, checkout at the source commit,
 * {@code install}, snapshot) and its cache. Snapshots carry their cache key and their store as
 * labels, so the cache survives the process and is shared by every engine of the same store on
 * the same runtime (another store builds its own: images belong to the store that made them, see
 * {@link ImageGc}). Concurrent prepares of one key share one build; a failed build leaves no
 * snapshot, so the last good one stays in force.
 */
public final class EnvironmentCache {
    public static final String LABEL_KEY = "dev.nightshift.env.key";
    public static final String LABEL_REPO = "dev.nightshift.env.repository";
    public static final String LABEL_KIND = "dev.nightshift.snapshot.kind";
    /** On a built snapshot: the commit its {@code install} ran on (an agent on it need not run it again). */
    public static final String LABEL_COMMIT = "dev.nightshift.env.commit";
    public static final String DEFAULT_USER = "ubuntu";
    private static final int LAST_LINES = 30;

    private final MachineRuntime runtime;
    private final GitHost git;
    private final Optional<ResourceLimits> machineLimits;
    private final Map<String, String> storeLabels;
    private final Map<String, CompletableFuture<SnapshotInfo>> inFlight = new ConcurrentHashMap<>();
    private final Duration buildWait;
    private volatile dev.nightshift.core.EgressSettings egress = dev.nightshift.core.EgressSettings.UNRESTRICTED;

    /**
     * @param storeLabels the labels of the owning store ({@link ImageGc#labels()}), put on every image made here
     * @param machineLimits limits of the build machines; absent: the runtime's default
     * @param buildWait how long {@link #prepare} waits for a build of the same environment another agent started
     */
    public EnvironmentCache(MachineRuntime runtime, GitHost git, Optional<ResourceLimits> machineLimits,
            Map<String, String> storeLabels,
            Duration buildWait) {
        this.buildWait = java.util.Objects.requireNonNull(buildWait, "buildWait");
        this.runtime = runtime;
        this.git = git;
        this.machineLimits = java.util.Objects.requireNonNull(machineLimits, "machineLimits");
        this.storeLabels = Map.copyOf(storeLabels);
        if (!storeLabels.containsKey(ImageGc.LABEL_STORE)) {
            throw new IllegalArgumentException("storeLabels must name the store (" + ImageGc.LABEL_STORE + ")");
        }
    }

    /** The embedder's network policy: the build's applies to the build machine (set once by the engine). */
    public EnvironmentCache egress(dev.nightshift.core.EgressSettings value) {
        egress = java.util.Objects.requireNonNull(value);
        return this;
    }

    /** The labels of the owning store, on every machine and image of its agents and builds. */
    public Map<String, String> storeLabels() {
        return storeLabels;
    }

    /** Snapshots of this store that serve as environments (built or promoted) and match {@code labels}. */
    private List<SnapshotInfo> environmentSnapshots(String label, String value) {
        return runtime.snapshots(Map.of(label, value, ImageGc.LABEL_STORE, storeLabels.get(ImageGc.LABEL_STORE)))
                .stream().filter(s -> List.of("environment", "promoted").contains(s.labels().get(LABEL_KIND))).toList();
    }

    /** What a build needs to know. */
    public record Request(String repository, GitHost.Source source, ResolvedSpec resolved, Duration installTimeout,
            SecretHooks.Resolved secrets, Consumer<String> output, Consumer<String> warnings, GitHost git) {
        /** A request that uses the cache's (engine-level) git port. */
        public Request(String repository, GitHost.Source source, ResolvedSpec resolved, Duration installTimeout,
                SecretHooks.Resolved secrets, Consumer<String> output, Consumer<String> warnings) {
            this(repository, source, resolved, installTimeout, secrets, output, warnings, null);
        }

        /** This request with the agent's git port (its owner's credentials for the checkout and dependencies). */
        public Request withGit(GitHost agentGit) {
            return new Request(repository, source, resolved, installTimeout, secrets, output, warnings, agentGit);
        }

        Map<String, String> buildEnv() {
            return secrets.buildEnv();
        }
    }

    /** A prepared environment: the snapshot and whether it was built now. */
    public record Prepared(SnapshotInfo snapshot, String key, boolean built, String user) {
        /** Whether the snapshot's {@code install} already ran on {@code commit}, so it need not run again. */
        public boolean installedAt(String commit) {
            return commit != null && commit.equals(snapshot.labels().get(LABEL_COMMIT));
        }
    }

    /** The user commands run as: the spec's, else {@code ubuntu} on the default base. */
    public static String userFor(EnvironmentSpec spec, BaseKind effectiveBase) {
        if (spec.user() != null) {
            return spec.user();
        }
        return effectiveBase == BaseKind.DEFAULT || effectiveBase == BaseKind.SNAPSHOT ? DEFAULT_USER : null;
    }

    /** The newest good snapshot of {@code key}. */
    public Optional<SnapshotInfo> find(String key) {
        return environmentSnapshots(LABEL_KEY, key).stream()
                .max(Comparator.comparing(SnapshotInfo::createdAt));
    }

    /** The newest good snapshot of any key for {@code repository}. */
    public Optional<SnapshotInfo> newestFor(String repository) {
        return environmentSnapshots(LABEL_REPO, labelSafe(repository)).stream()
                .max(Comparator.comparing(SnapshotInfo::createdAt));
    }

    /** The cache key of {@code request} (prepares its base image, building a Dockerfile if it must). */
    public String keyFor(Request request) {
        return key(request, base(request).image());
    }

    public Prepared prepare(Request request) {
        EnvironmentSpec spec = request.resolved().spec();
        BaseChoice base = base(request);
        String key = key(request, base.image());
        String user = userFor(spec, base.kind());
        Optional<SnapshotInfo> hit = find(key);
        if (hit.isPresent()) {
            checkDependencyAccess(request);
            request.output().accept("environment " + shortKey(key) + ": using snapshot " + hit.get().id());
            return new Prepared(hit.get(), key, false, user);
        }
        CompletableFuture<SnapshotInfo> mine = new CompletableFuture<>();
        CompletableFuture<SnapshotInfo> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            request.output().accept("environment " + shortKey(key) + ": waiting for a build another agent started");
            try {
                SnapshotInfo joined = running.get(buildWait.toMillis(), TimeUnit.MILLISECONDS);
                checkDependencyAccess(request);
                return new Prepared(joined, key, false, user);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new NightshiftException(e.getMessage(), e);
            } catch (TimeoutException e) {
                throw new NightshiftTimeoutException("the build of environment " + shortKey(key)
                        + " that another agent started did not finish within " + buildWait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentCancelledException("interrupted while waiting for the build of environment "
                        + shortKey(key));
            }
        }
        try {
            SnapshotInfo built = build(request, base, key, user);
            mine.complete(built);
            return new Prepared(built, key, true, user);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /** Registers a promoted snapshot as the newest of {@code key}: it carries the key label. */
    public Map<String, String> promotionLabels(String key, String repository, String agentId) {
        Map<String, String> labels = new HashMap<>(storeLabels);
        labels.putAll(Map.of(LABEL_KEY, key, LABEL_REPO, labelSafe(repository), LABEL_KIND, "promoted",
                "dev.nightshift.promoted-by", agentId));
        return Map.copyOf(labels);
    }

    /** The base an environment starts from: which kind was chosen and its image. */
    public record BaseChoice(BaseKind kind, Image image) {
    }

    /** The base of {@code request}'s environment: snapshot &gt; build &gt; image &gt; default (prepared). */
    public BaseChoice base(Request request) {
        EnvironmentSpec spec = request.resolved().spec();
        BaseKind kind = spec.baseKind();
        switch (kind) {
            case SNAPSHOT:
                try {
                    return new BaseChoice(kind, runtime.prepareImage(ImageSource.snapshot(spec.snapshot()), request.output()));
                } catch (NotFoundException e) {
                    request.warnings().accept("snapshot " + spec.snapshot()
                            + " is unknown or expired; falling back to the default base image");
                    return new BaseChoice(BaseKind.DEFAULT, runtime.prepareImage(ImageSource.defaultBase(), request.output()));
                }
            case BUILD:
                return new BaseChoice(kind, buildImage(request));
            case IMAGE:
                return new BaseChoice(kind, runtime.prepareImage(ImageSource.reference(spec.image()), request.output()));
            default:
                return new BaseChoice(kind, runtime.prepareImage(ImageSource.defaultBase(), request.output()));
        }
    }

    private Image buildImage(Request request) {
        ResolvedSpec r = request.resolved();
        String repo = request.repository();
        Path dir;
        try {
            dir = Files.createTempDirectory("nightshift-build-");
        } catch (IOException e) {
            throw new NightshiftException("cannot create a build directory: " + e.getMessage(), e);
        }
        try {
            git(request).export(repo, request.source().commit(), r.contextPath(), dir);
            String dockerfile = r.dockerfilePath() != null
                    ? new String(request.source().tree().read(r.dockerfilePath()).orElseThrow(() -> new NotFoundException(
                            "Dockerfile " + r.dockerfilePath() + " does not exist at commit " + request.source().commit())),
                            StandardCharsets.UTF_8)
                    : r.spec().build().dockerfileContents();
            // no build secrets as build args: the classic builder records them in the image's history
            Map<String, String> labels = new HashMap<>(storeLabels);
            labels.put(LABEL_KIND, ImageGc.KIND_BUILD);
            return runtime.prepareImage(new ImageSource.Dockerfile(dir, null, dockerfile, Map.of(), labels),
                    request.output());
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * A snapshot built (or being built) by another agent holds its {@code repositoryDependencies}
     * as that agent's credentials fetched them; an agent with its own credentials (another owner)
     * gets it only after fetching each dependency with them, so the remote refuses an owner who
     * has no access instead of the cache handing the code over.
     */
    private void checkDependencyAccess(Request request) {
        if (request.git() == null) {
            return;
        }
        for (String dependency : request.resolved().spec().repositoryDependencies()) {
            request.git().fetch(dependency, null);
        }
    }

    private GitHost git(Request request) {
        return request.git() == null ? git : request.git();
    }

    private String key(Request request, Image base) {
        ResolvedSpec r = request.resolved();
        StringBuilder k = new StringBuilder();
        k.append("remote=").append(request.source().remoteKey()).append('\n');
        k.append("spec=").append(r.digest()).append('\n');
        dev.nightshift.api.runtime.EgressPolicy buildEgress = dev.nightshift.core.internal.egress.EgressResolver.resolve(
                r.spec(), egress, dev.nightshift.core.internal.egress.EgressResolver.Phase.BUILD);
        if (!buildEgress.allowAll()) {
            k.append("egress=").append(buildEgress).append('\n'); // what install could download depends on it
        }
        if (r.spec().baseKind() == BaseKind.BUILD) {
            k.append("dockerfile=").append(r.dockerfilePath() == null ? "inline"
                    : git(request).treeDigest(request.repository(), request.source().commit(), r.dockerfilePath())).append('\n');
            k.append("context=").append(git(request).treeDigest(request.repository(), request.source().commit(), r.contextPath()))
                    .append('\n');
        }
        k.append("base=").append(base.id()).append('\n');
        // build secrets count by version, never by value
        new java.util.TreeMap<>(request.secrets().buildSecretVersions())
                .forEach((n, v) -> k.append("secret=").append(n).append('@').append(v).append('\n'));
        return sha256(k.toString());
    }

    private SnapshotInfo build(Request request, BaseChoice base, String key, String user) {
        EnvironmentSpec spec = request.resolved().spec();
        Consumer<String> out = request.output();
        out.accept("environment " + shortKey(key) + ": building from " + base.image().reference());
        Map<String, String> labels = new HashMap<>(storeLabels);
        labels.put("dev.nightshift.role", "build");
        MachineSpec.Builder ms = MachineSpec.builder(base.image().id()).user(user).limits(machineLimits.orElse(null))
                .labels(labels);
        dev.nightshift.core.internal.egress.EgressHooks.apply(ms, runtime, spec, egress,
                dev.nightshift.core.internal.egress.EgressResolver.Phase.BUILD);
        try (Machine machine = runtime.start(ms.build())) {
            git(request).moveIn(machine, request.repository(), request.source().commit(), "nightshift/environment",
                    "/workspace", user);
            for (String dependency : spec.repositoryDependencies()) {
                out.accept("dependency " + dependency + " -> " + git(request).moveInDependency(machine, dependency, user));
            }
            boolean guard = !request.secrets().buildSecrets().isEmpty();
            if (guard) {
                machine.exec(ExecRequest.bash("touch /tmp/.nightshift-build-start").user("root").build()).await();
            }
            if (spec.install() != null && !spec.install().isBlank()) {
                out.accept("$ " + spec.install());
                ArrayDeque<String> tail = new ArrayDeque<>();
                ExecListener lines = ExecListener.lines((s, line) -> {
                    out.accept(line);
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > LAST_LINES) {
                            tail.removeFirst();
                        }
                    }
                });
                // the build's secrets leave the byte stream before it is cut into lines
                Redactor.OutputListener redacted = request.secrets().redactor().execListener(lines);
                java.time.Instant installStart = java.time.Instant.now();
                ExecResult r = machine.exec(ExecRequest.builder("bash", "-lc", spec.install())
                        .workdir("/workspace").user(user).env(request.buildEnv())
                        .timeout(request.installTimeout()).listener(redacted).build()).await();
                redacted.flush();
                // egress: what the build's proxy refused shows in the build output
                dev.nightshift.core.internal.egress.EgressEvents.report(machine, installStart.minusSeconds(1), "build",
                        w -> out.accept("nightshift: " + w));
                if (!r.isSuccess()) {
                    List<String> last;
                    synchronized (tail) {
                        last = List.copyOf(tail);
                    }
                    String why = r.outcome() == ExecResult.Outcome.TIMED_OUT
                            ? "install did not finish within " + request.installTimeout()
                            : r.outcome() == ExecResult.Outcome.OOM_KILLED ? "install was killed: out of memory"
                            : "install exited " + r.exitCode();
                    throw new BuildFailedException(why + " (environment " + shortKey(key)
                            + "; the previous good snapshot stays in force)", last);
                }
            }
            if (guard) {
                refuseLeakedBuildSecrets(machine, request.secrets().buildSecrets(), key);
            }
            boolean clean = installLeftTrackedFilesAsCommitted(machine, user);
            if (!clean) {
                out.accept("install changed tracked files: agents run it again on their checkout");
            }
            // an agent's move-in restores tracked files to the commit: an install that changed
            // them (a chmod, a regenerated file) must run again, so only a clean one is skipped
            SnapshotInfo snapshot = machine.snapshot(environmentLabels(key, request.repository(),
                    clean ? request.source().commit() : null));
            out.accept("environment " + shortKey(key) + ": snapshot " + snapshot.id());
            return snapshot;
        }
    }

    /**
     * The labels of an environment snapshot of {@code key}: the store's, the key, the repository,
     * and {@code commit} when its {@code install} ran on that commit and left the tracked files as
     * committed (null: agents run install again).
     */
    public Map<String, String> environmentLabels(String key, String repository, String commit) {
        Map<String, String> labels = new HashMap<>(storeLabels);
        labels.put(LABEL_KEY, key);
        labels.put(LABEL_REPO, labelSafe(repository));
        labels.put(LABEL_KIND, "environment");
        if (commit != null) {
            labels.put(LABEL_COMMIT, commit);
        }
        return Map.copyOf(labels);
    }

    /** Whether the workspace's tracked files (content and mode) are as the commit has them. */
    public static boolean installLeftTrackedFilesAsCommitted(Machine machine, String user) {
        ExecResult r = machine.exec(ExecRequest.builder("git", "status", "--porcelain", "--untracked-files=no")
                .workdir("/workspace").user(user).build()).await();
        return r.isSuccess() && r.stdoutTail().isBlank();
    }

    /**
     * Refuses the build when a file the build changed holds a build secret (plain or base64): a
     * snapshot would keep it. The values travel only as environment variables of the search.
     */
    private static void refuseLeakedBuildSecrets(Machine machine, Map<String, String> buildSecrets, String key) {
        for (Map.Entry<String, String> secret : buildSecrets.entrySet()) {
            List<String> files = filesHolding(machine, "/tmp/.nightshift-build-start", secret.getValue());
            if (!files.isEmpty()) {
                throw new BuildFailedException("install wrote the build secret " + secret.getKey() + " into "
                        + String.join(", ", files) + "; a snapshot would keep it, so the build of environment "
                        + shortKey(key) + " is refused (the previous good snapshot stays in force). Pass it to the"
                        + " tool through its environment variable instead of writing it to a file.", List.of());
            }
        }
    }

    /**
     * Up to five files changed since {@code marker} was touched that hold {@code value} (plain or
     * base64). The value travels only as an environment variable of the search. Fails closed: a
     * missing marker (nothing tells which files changed) is returned as a file that holds it.
     */
    public static List<String> filesHolding(Machine machine, String marker, String value) {
        String b64 = java.util.Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
        ExecResult r = machine.exec(ExecRequest.bash("test -e \"$NS_MARKER\" || { echo \"$NS_MARKER (missing: which files"
                + " changed is unknown)\"; exit 0; }; find / -xdev \\( -path /proc -o -path /sys -o -path /dev \\) -prune"
                + " -o -type f -newer \"$NS_MARKER\" -print0 2>/dev/null"
                + " | xargs -0 -r grep -lF -e \"$NS_VALUE\" -e \"$NS_VALUE_B64\" 2>/dev/null | head -n 5; true")
                .user("root").env(Map.of("NS_MARKER", marker, "NS_VALUE", value, "NS_VALUE_B64", b64)).build()).await();
        return r.stdoutTail().lines().filter(l -> !l.isBlank()).toList();
    }

    public static String shortKey(String key) {
        return key.substring(0, Math.min(12, key.length()));
    }

    /** Repository URLs as label values: without user info, never with a credential. */
    public static String labelSafe(String repository) {
        return repository.replaceAll("//[^/@]*@", "//");
    }

    public static String sha256(String s) {
        return Hashing.sha256Hex(s);
    }

    private static void deleteTree(Path dir) {
        FileTrees.deleteQuietly(dir); // best effort: a temp directory
    }
}
