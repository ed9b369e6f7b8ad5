package dev.nightshift.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PullResponseItem;
import dev.nightshift.api.BuildFailedException;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageInfo;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.SnapshotInfo;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's images: the default base, references (local, else pulled), snapshots by id, and
 * Dockerfile builds (classic builder only), plus listing and removing the managed ones.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per {@link RuntimeCore}.
 */
final class Images {
    private static final Logger LOG = LoggerFactory.getLogger(Images.class);
    private static final Pattern SNAPSHOT_ID = Pattern.compile("snapshot-\\d{8}-[0-9a-f-]{36}");
    private final RuntimeCore core;

    Images(RuntimeCore core) {
        this.core = core;
    }

    Image prepareImage(ImageSource source, Consumer<String> output) {
        Consumer<String> sink = output == null ? line -> { } : output;
        if (source instanceof ImageSource.DefaultBase) {
            String ref = core.settings().baseImage();
            String script = ref.startsWith("nightshift/default:") ? "scripts/default-image" : "scripts/base-image";
            return local(ref).or(() -> tryPull(ref, sink)).orElseThrow(() -> new EnvironmentUnavailableException(
                    "the default base image " + ref + " is neither present in the Docker engine nor pullable; build it"
                            + " offline with " + script + ", or name another with NIGHTSHIFT_BASE_IMAGE or"
                            + " DockerRuntime.builder().baseImage(..)"));
        }
        if (source instanceof ImageSource.Reference r) {
            String ref = r.reference();
            return local(ref).or(() -> tryPull(ref, sink)).orElseThrow(() -> new dev.nightshift.api.NotFoundException(
                    "image " + ref + " is neither present in the Docker engine nor pullable from its registry;"
                            + " check the name, or load it into the engine (docker load / docker build)"));
        }
        if (source instanceof ImageSource.Snapshot s) {
            SnapshotInfo info = core.snapshots().findSnapshot(s.snapshotId()).orElseThrow(
                    () -> new dev.nightshift.api.NotFoundException("no snapshot " + s.snapshotId()
                            + " in the Docker engine (deleted, or taken on another engine)"));
            return new Image(info.imageId(), s.snapshotId(), info.labels());
        }
        if (source instanceof ImageSource.Dockerfile d) {
            return build(d, sink);
        }
        throw new IllegalArgumentException("unknown image source " + source);
    }

    private Optional<Image> local(String ref) {
        try {
            InspectImageResponse r = core.client().inspectImageCmd(ref).exec();
            Map<String, String> labels = r.getConfig() != null && r.getConfig().getLabels() != null
                    ? r.getConfig().getLabels() : Map.of();
            return Optional.of(new Image(r.getId(), ref, labels));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    private Optional<Image> tryPull(String ref, Consumer<String> output) {
        try {
            output.accept("pulling " + ref);
            Throwable[] failure = new Throwable[1];
            core.client().pullImageCmd(ref).exec(new ResultCallback.Adapter<PullResponseItem>() {
                @Override
                public void onError(Throwable t) {
                    failure[0] = t;
                    try {
                        close();
                    } catch (IOException ignored) {
                        // closing a failed stream
                    }
                }
            }).awaitCompletion(30, TimeUnit.MINUTES);
            if (failure[0] != null) {
                output.accept("pull of " + ref + " failed: " + String.valueOf(failure[0].getMessage()).strip());
                return Optional.empty();
            }
            return local(ref);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while pulling " + ref, e);
        } catch (DockerException | DockerClientException e) {
            output.accept("pull of " + ref + " failed: " + e.getMessage().strip());
            LOG.debug("pull of {} failed", ref, e);
            return Optional.empty();
        }
    }

    private Image build(ImageSource.Dockerfile d, Consumer<String> output) {
        Path context = d.contextDir();
        Path tmp = null;
        try {
            File dockerfile;
            String name;
            String text;
            if (d.dockerfileContents() != null) {
                text = d.dockerfileContents();
                name = "inline Dockerfile";
                // docker-java sends only files inside the context, so the inline text visits it briefly
                tmp = context.resolve(".nightshift-inline-" + UUID.randomUUID() + ".Dockerfile");
                dockerfile = tmp.toFile();
                Files.writeString(tmp, text);
            } else {
                Path p = context.resolve(d.dockerfile()).normalize();
                name = d.dockerfile();
                if (!Files.isRegularFile(p)) {
                    throw new BuildFailedException("Dockerfile " + name + " does not exist in the build context " + context,
                            List.of());
                }
                text = Files.readString(p);
                dockerfile = p.toFile();
            }
            DockerfileCheck.requireClassicBuilder(text, name);
            Map<String, String> labels = new LinkedHashMap<>(d.labels());
            labels.put(Labels.MANAGED, "true");
            BuildImageCmd cmd = core.client().buildImageCmd()
                    .withBaseDirectory(context.toFile())
                    .withDockerfile(dockerfile)
                    .withLabels(labels)
                    .withForcerm(true);
            d.buildArgs().forEach(cmd::withBuildArg);
            Deque<String> last = new ArrayDeque<>();
            String[] imageId = new String[1];
            String[] error = new String[1];
            cmd.exec(new ResultCallback.Adapter<BuildResponseItem>() {
                @Override
                public void onNext(BuildResponseItem item) {
                    if (item.getStream() != null) {
                        for (String line : item.getStream().split("\r?\n")) {
                            if (!line.isBlank()) {
                                keep(last, line);
                                output.accept(line);
                            }
                        }
                    }
                    if (item.isErrorIndicated()) {
                        String msg = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                                ? item.getErrorDetail().getMessage() : "the build failed";
                        error[0] = msg;
                        keep(last, String.valueOf(msg));
                        output.accept(String.valueOf(msg));
                    }
                    if (item.isBuildSuccessIndicated() && item.getImageId() != null) {
                        imageId[0] = item.getImageId();
                    }
                }
            }).awaitCompletion();
            if (error[0] != null || imageId[0] == null) {
                List<String> lines = List.copyOf(last);
                throw new BuildFailedException("docker build of " + name + " in " + context + " failed: "
                        + (error[0] != null ? error[0].strip() : "no image produced") + "\nlast lines of output:\n  "
                        + String.join("\n  ", lines), lines);
            }
            InspectImageResponse r = core.client().inspectImageCmd(imageId[0]).exec();
            return new Image(r.getId(), name, r.getConfig() != null && r.getConfig().getLabels() != null
                    ? r.getConfig().getLabels() : Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while building " + d, e);
        } catch (IOException e) {
            throw new NightshiftException("could not read the build context " + context + ": " + e.getMessage(), e);
        } catch (DockerException | DockerClientException e) {
            throw new BuildFailedException("docker build in " + context + " failed: " + e.getMessage().strip(), List.of(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    private static void keep(Deque<String> last, String line) {
        last.addLast(line);
        while (last.size() > 30) {
            last.removeFirst();
        }
    }

    /** Resolves what a spec names (snapshot id, reference, image id) to a local image. */
    InspectImageResponse resolveImage(String image) {
        if (SNAPSHOT_ID.matcher(image).matches()) {
            // one inspect of the snapshot's tag: it is the image, once its labels say it is this snapshot
            try {
                InspectImageResponse r = core.client().inspectImageCmd(Labels.SNAPSHOT_REPOSITORY + ":" + image).exec();
                if (Snapshots.info(r).filter(s -> s.id().equals(image)).isPresent()) {
                    return r;
                }
            } catch (NotFoundException e) {
                // not a snapshot of this engine: prepareImage says so
            }
            return core.client().inspectImageCmd(prepareImage(ImageSource.snapshot(image), null).id()).exec();
        }
        try {
            return core.client().inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            return core.client().inspectImageCmd(prepareImage(ImageSource.reference(image), null).id()).exec();
        }
    }

    /** Managed images (Dockerfile builds and snapshots) whose labels include all of {@code labels}. */
    List<ImageInfo> images(Map<String, String> labels) {
        Map<String, String> filter = new LinkedHashMap<>(labels);
        filter.put(Labels.MANAGED, "true");
        List<ImageInfo> out = new ArrayList<>();
        // all: an untagged Dockerfile build that a snapshot is built on is hidden from the default list
        for (com.github.dockerjava.api.model.Image i : core.client().listImagesCmd().withShowAll(true).withLabelFilter(filter)
                .exec()) {
            Map<String, String> l = i.getLabels() == null ? Map.of() : i.getLabels();
            List<String> tags = i.getRepoTags() == null ? List.of()
                    : List.of(i.getRepoTags()).stream().filter(t -> !t.equals("<none>:<none>")).toList();
            Instant created;
            try {
                created = Instant.parse(l.getOrDefault(Labels.SNAPSHOT_CREATED, ""));
            } catch (RuntimeException e) {
                created = Instant.ofEpochSecond(i.getCreated() == null ? 0 : i.getCreated());
            }
            out.add(new ImageInfo(i.getId(), tags, created, l));
        }
        return List.copyOf(out);
    }

    /**
     * Removes a managed image by id (with its tags and the untagged parents only it needed);
     * false when a container or a child image still needs it. Only untagged builds and snapshots
     * ({@code nightshift/snapshot:*}) are removed: images without the managed label, or with
     * another name (the base image), are refused.
     */
    boolean removeImage(String imageId) {
        try {
            InspectImageResponse r = core.client().inspectImageCmd(imageId).exec();
            Map<String, String> l = r.getConfig() == null || r.getConfig().getLabels() == null ? Map.of()
                    : r.getConfig().getLabels();
            List<String> tags = r.getRepoTags() == null ? List.of() : r.getRepoTags();
            if (!"true".equals(l.get(Labels.MANAGED))
                    || tags.stream().anyMatch(t -> !t.startsWith(Labels.SNAPSHOT_REPOSITORY + ":"))) {
                // the base image is labelled managed too, but it is named: only builds and snapshots go
                throw new IllegalArgumentException("image " + imageId + " " + tags + " is not a build or snapshot"
                        + " made by Nightshift; not removing it");
            }
            core.client().removeImageCmd(r.getId()).exec();
            return true;
        } catch (NotFoundException e) {
            return true;
        } catch (com.github.dockerjava.api.exception.ConflictException e) {
            LOG.debug("image {} stays: {}", imageId, e.getMessage());
            return false;
        }
    }
}
