package dev.nightshift.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.LoadResponseItem;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.common.Hashing;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Rewrites an image as a single layer, keeping its configuration (the storage driver limits how
 * deep a chain of commits can go). The files come out of a created, never started, container
 * (so no /proc or bind mounts); they are re-packed as one layer of a {@code docker save}-format
 * archive with the original config and loaded with {@code docker load} under the same tag.
 * (docker-java's import command sends its stream wrongly, so import is not used.)
 *
 * <p>Thread-safety: stateless. Lifecycle: static methods.
 */
final class Flattener {
    private Flattener() {
    }

    /** Flattens {@code image} and tags the result {@code repoTag}; returns the new image id. */
    static String flatten(DockerClient client, ExecutorService io, InspectImageResponse image, String repoTag)
            throws IOException {
        String container = client.createContainerCmd(image.getId())
                .withLabels(Map.of(Labels.MANAGED, "true")).withEntrypoint("/bin/true").exec().getId();
        Path layer = Files.createTempFile("nightshift-layer", ".tar");
        try {
            String diffId;
            try (InputStream in = client.copyArchiveFromContainerCmd(container, "/").exec();
                    OutputStream file = new BufferedOutputStream(Files.newOutputStream(layer), 1 << 16)) {
                diffId = repack(in, file);
            } finally {
                try {
                    client.removeContainerCmd(container).withForce(true).exec();
                } catch (RuntimeException ignored) {
                    // best effort
                }
            }
            byte[] config = configJson(image, diffId).getBytes(StandardCharsets.UTF_8);
            String configName = sha256(config) + ".json";
            String layerName = diffId.substring("sha256:".length()) + "/layer.tar";
            byte[] manifest = ("[{\"Config\":" + str(configName) + ",\"RepoTags\":[" + str(repoTag) + "],\"Layers\":["
                    + str(layerName) + "]}]").getBytes(StandardCharsets.UTF_8);
            try (PipedInputStream in = new PipedInputStream(1 << 16)) {
                PipedOutputStream out = new PipedOutputStream(in);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try (out; TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                        put(tar, configName, config);
                        put(tar, "manifest.json", manifest);
                        TarArchiveEntry e = new TarArchiveEntry(layerName);
                        e.setSize(Files.size(layer));
                        tar.putArchiveEntry(e);
                        Files.copy(layer, tar);
                        tar.closeArchiveEntry();
                        tar.finish();
                    } catch (IOException e) {
                        throw new NightshiftException("writing the flattened image failed: " + e.getMessage(), e);
                    }
                }, io);
                List<String> messages = new ArrayList<>();
                client.loadImageAsyncCmd(in).exec(new ResultCallback.Adapter<LoadResponseItem>() {
                    @Override
                    public void onNext(LoadResponseItem item) {
                        if (item.isErrorIndicated()) {
                            messages.add(item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : "load failed");
                        } else if (item.getStream() != null) {
                            messages.add(item.getStream().strip());
                        }
                    }
                }).awaitCompletion();
                writer.join();
                String id = client.inspectImageCmd(repoTag).exec().getId();
                if (id.equals(image.getId())) {
                    throw new NightshiftException("flattening " + repoTag + " failed: docker load did not replace it ("
                            + String.join("; ", messages) + ")");
                }
                return id;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NightshiftException("interrupted while flattening " + repoTag, e);
            }
        } finally {
            Files.deleteIfExists(layer);
        }
    }

    /** Copies a container archive as a layer: names made relative, the root entry dropped. Returns its diff id. */
    private static String repack(InputStream in, OutputStream out) throws IOException {
        MessageDigest sha = sha();
        DigestOutputStream digest = new DigestOutputStream(out, sha);
        TarArchiveInputStream src = new TarArchiveInputStream(in);
        TarArchiveOutputStream dst = new TarArchiveOutputStream(digest);
        dst.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        dst.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        TarArchiveEntry e;
        while ((e = src.getNextEntry()) != null) {
            String name = strip(e.getName());
            if (name.isEmpty() || name.equals("./")) {
                continue;
            }
            e.setName(name);
            if (e.isLink()) {
                e.setLinkName(strip(e.getLinkName()));
            }
            dst.putArchiveEntry(e);
            if (e.isFile() && !e.isLink() && !e.isSymbolicLink()) {
                src.transferTo(dst);
            }
            dst.closeArchiveEntry();
        }
        dst.finish();
        dst.flush();
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static String strip(String name) {
        String n = name;
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n;
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static String configJson(InspectImageResponse image, String diffId) {
        ContainerConfig c = image.getConfig();
        List<String> cfg = new ArrayList<>();
        if (c != null) {
            if (c.getEnv() != null) {
                cfg.add("\"Env\":" + arr(c.getEnv()));
            }
            if (c.getWorkingDir() != null && !c.getWorkingDir().isEmpty()) {
                cfg.add("\"WorkingDir\":" + str(c.getWorkingDir()));
            }
            if (c.getUser() != null && !c.getUser().isEmpty()) {
                cfg.add("\"User\":" + str(c.getUser()));
            }
            if (c.getEntrypoint() != null) {
                cfg.add("\"Entrypoint\":" + arr(c.getEntrypoint()));
            }
            if (c.getCmd() != null) {
                cfg.add("\"Cmd\":" + arr(c.getCmd()));
            }
            if (c.getLabels() != null && !c.getLabels().isEmpty()) {
                List<String> l = new ArrayList<>();
                c.getLabels().forEach((k, v) -> l.add(str(k) + ":" + str(v)));
                cfg.add("\"Labels\":{" + String.join(",", l) + "}");
            }
        }
        String arch = image.getArch() == null ? "amd64" : image.getArch();
        String os = image.getOs() == null ? "linux" : image.getOs();
        return "{\"architecture\":" + str(arch) + ",\"os\":" + str(os) + ",\"created\":" + str(Instant.now().toString())
                + ",\"config\":{" + String.join(",", cfg) + "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + str(diffId) + "]},\"history\":[{\"created\":" + str(Instant.now().toString())
                + ",\"created_by\":\"nightshift: flattened snapshot\"}]}";
    }

    private static String arr(String[] items) {
        List<String> out = new ArrayList<>();
        for (String s : items) {
            out.add(str(s));
        }
        return "[" + String.join(",", out) + "]";
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static MessageDigest sha() {
        return Hashing.sha256();
    }

    private static String sha256(byte[] b) {
        return Hashing.sha256Hex(b);
    }
}
