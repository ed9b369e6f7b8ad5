package dev.nightshift.docker.internal;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.SnapshotInfo;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots: a machine committed to an image tagged {@code nightshift/snapshot:<id>} whose labels
 * name it (flattened when its layer chain grows past the configured threshold), found, listed
 * and deleted by id.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per {@link RuntimeCore}.
 */
final class Snapshots {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private final RuntimeCore core;

    Snapshots(RuntimeCore core) {
        this.core = core;
    }

    static String newSnapshotId(Instant now) {
        return "snapshot-" + DAY.format(now) + "-" + UUID.randomUUID();
    }

    SnapshotInfo snapshot(DockerMachine m, Map<String, String> extra) {
        Instant now = Instant.now();
        String id = newSnapshotId(now);
        Map<String, String> labels = new LinkedHashMap<>(extra == null ? Map.of() : extra);
        labels.put(Labels.MANAGED, "true");
        labels.put(Labels.SNAPSHOT, id);
        labels.put(Labels.SNAPSHOT_SOURCE, m.id());
        labels.put(Labels.SNAPSHOT_CREATED, now.toString());
        String imageId;
        try {
            imageId = core.client().commitCmd(m.id()).withRepository(Labels.SNAPSHOT_REPOSITORY).withTag(id)
                    .withLabels(labels).withPause(true).exec();
        } catch (NotFoundException e) {
            throw new dev.nightshift.api.NotFoundException("cannot snapshot machine " + m.id() + ": it does not exist", e);
        } catch (DockerException e) {
            throw new NightshiftException("snapshot of machine " + m.id() + " failed: " + e.getMessage().strip(), e);
        }
        InspectImageResponse image = core.client().inspectImageCmd(imageId).exec();
        int layers = image.getRootFS() == null || image.getRootFS().getLayers() == null ? 0
                : image.getRootFS().getLayers().size();
        if (layers > core.settings().flattenThreshold()) {
            imageId = flatten(image, id);
            image = core.client().inspectImageCmd(imageId).exec();
        }
        return info(image).orElseThrow();
    }

    private String flatten(InspectImageResponse image, String snapshotId) {
        String tag = Labels.SNAPSHOT_REPOSITORY + ":" + snapshotId;
        try {
            String flat = Flattener.flatten(core.client(), core.io(), image, tag);
            try {
                core.client().removeImageCmd(image.getId()).exec();
            } catch (DockerException ignored) {
                // the old chain is still used by a machine: it goes when that does
            }
            LOG.debug("flattened snapshot {} to {}", snapshotId, flat);
            return flat;
        } catch (IOException e) {
            throw new NightshiftException("flattening snapshot " + snapshotId + " failed: " + e.getMessage(), e);
        }
    }

    static Optional<SnapshotInfo> info(InspectImageResponse image) {
        Map<String, String> labels = image.getConfig() == null || image.getConfig().getLabels() == null ? Map.of()
                : image.getConfig().getLabels();
        String id = labels.get(Labels.SNAPSHOT);
        if (id == null) {
            return Optional.empty();
        }
        Instant created;
        try {
            created = Instant.parse(labels.getOrDefault(Labels.SNAPSHOT_CREATED, ""));
        } catch (RuntimeException e) {
            created = Instant.EPOCH;
        }
        return Optional.of(new SnapshotInfo(id, image.getId(), created, labels));
    }

    Optional<SnapshotInfo> findSnapshot(String snapshotId) {
        try {
            return info(core.client().inspectImageCmd(Labels.SNAPSHOT_REPOSITORY + ":" + snapshotId).exec())
                    .filter(s -> s.id().equals(snapshotId));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (DockerException e) {
            return Optional.empty();
        }
    }

    List<SnapshotInfo> snapshots(Map<String, String> labels) {
        Map<String, String> filter = new LinkedHashMap<>(labels);
        filter.put(Labels.MANAGED, "true");
        List<SnapshotInfo> out = new ArrayList<>();
        for (com.github.dockerjava.api.model.Image i : core.client().listImagesCmd().withLabelFilter(filter).exec()) {
            Map<String, String> l = i.getLabels() == null ? Map.of() : i.getLabels();
            String id = l.get(Labels.SNAPSHOT);
            if (id == null || i.getRepoTags() == null
                    || !List.of(i.getRepoTags()).contains(Labels.SNAPSHOT_REPOSITORY + ":" + id)) {
                continue;
            }
            Instant created;
            try {
                created = Instant.parse(l.getOrDefault(Labels.SNAPSHOT_CREATED, ""));
            } catch (RuntimeException e) {
                created = Instant.ofEpochSecond(i.getCreated() == null ? 0 : i.getCreated());
            }
            out.add(new SnapshotInfo(id, i.getId(), created, l));
        }
        return List.copyOf(out);
    }

    void deleteSnapshot(String snapshotId) {
        if (findSnapshot(snapshotId).isEmpty()) {
            return;
        }
        try {
            core.client().removeImageCmd(Labels.SNAPSHOT_REPOSITORY + ":" + snapshotId).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (com.github.dockerjava.api.exception.ConflictException e) {
            throw new ConflictException("snapshot " + snapshotId + " is in use by a machine; close it first", e);
        }
    }
}
