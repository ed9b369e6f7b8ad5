package dev.nightshift.core.internal;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.runtime.ImageInfo;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.SnapshotInfo;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of the images an engine makes. Every image (environment snapshots, promoted and
 * hibernation snapshots, Dockerfile builds) carries the store that owns it: {@code
 * dev.nightshift.store} (the store id), and for a store in a state directory also the directory
 * and the host ({@code dev.nightshift.store.path}, {@code dev.nightshift.store.host}), so any
 * engine on that host can tell when the store is gone. {@link #collect} removes:
 * <ul>
 * <li>every image of a store that no longer exists (same host, state directory gone);</li>
 * <li>of this store: agents' snapshots whose agent is gone or final; environment snapshots
 *     (built and promoted) beyond the newest {@code kept} per environment (repository), the
 *     newest, the one in force, always kept; Dockerfile builds no snapshot is built on.</li>
 * </ul>
 * Only images made before the cutoff go; images another store on this or another host owns, and
 * images without a store label (the base image, anything not made by an engine) are never
 * touched. An image a machine still runs from stays (the runtime refuses).
 *
 * <p>Thread-safety: thread-safe (stateless besides its configuration). Lifecycle: one per engine.
 */
public final class ImageGc {
    public static final String LABEL_STORE = AgentActor.LABEL_STORE;
    public static final String LABEL_STORE_PATH = "dev.nightshift.store.path";
    public static final String LABEL_STORE_HOST = "dev.nightshift.store.host";
    /** {@link EnvironmentCache#LABEL_KIND} of a Dockerfile build (the base of an environment). */
    public static final String KIND_BUILD = "build";
    private static final Logger log = LoggerFactory.getLogger(ImageGc.class);
    private static final String HOST = hostName();

    private final MachineRuntime runtime;
    private final String storeId;
    private final Map<String, String> labels;

    /**
     * @param storePath the state directory of a store kept there, or null for a store elsewhere
     *     (its images are never judged gone by another engine)
     */
    public ImageGc(MachineRuntime runtime, String storeId, Path storePath) {
        this.runtime = runtime;
        this.storeId = storeId;
        Map<String, String> l = new LinkedHashMap<>();
        l.put(LABEL_STORE, storeId);
        if (storePath != null) {
            l.put(LABEL_STORE_PATH, storePath.toAbsolutePath().normalize().toString());
            l.put(LABEL_STORE_HOST, HOST);
        }
        this.labels = Map.copyOf(l);
    }

    /** The labels naming this engine's store, for its machines and images. */
    public Map<String, String> labels() {
        return labels;
    }

    /** What one collection removed. */
    public record Result(int snapshots, int images) {
    }

    /**
     * Removes what nothing references (see the class comment) among images made before
     * {@code cutoff}.
     *
     * @param kept environment snapshots kept per environment (at least 1)
     * @param agents this store's agents by id
     */
    public Result collect(Instant cutoff, int kept, Function<String, Optional<AgentInfo>> agents) {
        int snapshots = 0;
        List<SnapshotInfo> all = runtime.snapshots(Map.of());
        Map<String, List<SnapshotInfo>> environments = new HashMap<>();
        List<SnapshotInfo> doomed = new ArrayList<>();
        for (SnapshotInfo s : all) {
            String store = s.labels().get(LABEL_STORE);
            if (store == null) {
                continue;
            }
            if (!store.equals(storeId)) {
                if (storeGone(s.labels()) && s.createdAt().isBefore(cutoff)) {
                    doomed.add(s);
                }
                continue;
            }
            String kind = s.labels().getOrDefault(EnvironmentCache.LABEL_KIND, "");
            String repository = s.labels().get(EnvironmentCache.LABEL_REPO);
            if ((kind.equals("environment") || kind.equals("promoted")) && repository != null) {
                environments.computeIfAbsent(repository, k -> new ArrayList<>()).add(s);
                continue;
            }
            String agentId = s.labels().get(AgentActor.LABEL_AGENT);
            if (agentId != null && s.createdAt().isBefore(cutoff)
                    && agents.apply(agentId).map(a -> a.status().isFinal()).orElse(true)) {
                doomed.add(s);
            }
        }
        for (List<SnapshotInfo> env : environments.values()) {
            env.sort(Comparator.comparing(SnapshotInfo::createdAt).reversed());
            for (SnapshotInfo s : env.subList(Math.min(Math.max(1, kept), env.size()), env.size())) {
                if (s.createdAt().isBefore(cutoff)) {
                    doomed.add(s);
                }
            }
        }
        for (SnapshotInfo s : doomed) {
            try {
                runtime.deleteSnapshot(s.id());
                log.info("removed snapshot {} ({}) of store {}", s.id(),
                        s.labels().getOrDefault(EnvironmentCache.LABEL_KIND, "agent"), s.labels().get(LABEL_STORE));
                snapshots++;
            } catch (ConflictException e) {
                log.debug("snapshot {} stays: {}", s.id(), e.getMessage());
            }
        }
        // Dockerfile builds last: one goes once no snapshot is built on it (the runtime refuses before)
        int images = 0;
        for (ImageInfo i : runtime.images(Map.of(EnvironmentCache.LABEL_KIND, KIND_BUILD))) {
            String store = i.labels().get(LABEL_STORE);
            if (store == null || !i.createdAt().isBefore(cutoff) || !(store.equals(storeId) || storeGone(i.labels()))) {
                continue;
            }
            if (runtime.removeImage(i.id())) {
                log.info("removed Dockerfile build {} of store {}", i.id(), store);
                images++;
            }
        }
        return new Result(snapshots, images);
    }

    /** Whether the labels name a store in a state directory on this host that no longer exists. */
    static boolean storeGone(Map<String, String> labels) {
        String path = labels.get(LABEL_STORE_PATH);
        return path != null && HOST.equals(labels.get(LABEL_STORE_HOST)) && !Files.isDirectory(Path.of(path));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
