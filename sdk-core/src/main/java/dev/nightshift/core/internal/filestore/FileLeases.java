package dev.nightshift.core.internal.filestore;

import static dev.nightshift.core.internal.filestore.DiskFiles.writeAtomically;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.core.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Agents' leases in the file store: {@code lease.json} in the agent's directory, changed under an
 * OS file lock on {@code lease.lock}, so two processes on one directory never drive the same
 * agent. A lease of an owner process of this host that is gone ({@code kill -9}) need not wait
 * out its expiry.
 *
 * <p><b>Thread-safety:</b> thread-safe, and safe between processes. Internal: only the file store
 * uses it.
 */
public final class FileLeases {
    private final AgentFiles agents;
    private final Clock clock;
    private final ObjectMapper json = Json.mapper();

    public FileLeases(AgentFiles agents, Clock clock) {
        this.agents = agents;
        this.clock = clock;
    }

    /** A lease: who holds it and until when. */
    record Lease(String owner, Instant expires) {
    }

    public boolean acquire(String agentId, String owner, Duration ttl) {
        return withLeaseLock(agentId, lease -> {
            Instant now = clock.instant();
            if (lease != null && !lease.owner().equals(owner) && lease.expires().isAfter(now)
                    && !ownerIsGone(lease.owner())) {
                return null;
            }
            return new Lease(owner, now.plus(ttl));
        });
    }

    public void release(String agentId, String owner) {
        if (!Files.isDirectory(agents.dir(agentId))) {
            return; // deleted: nothing to release
        }
        withLeaseLock(agentId, lease -> lease != null && lease.owner().equals(owner)
                ? new Lease(owner, Instant.EPOCH) : null);
    }

    /**
     * Whether a lease owner named {@code host:pid:nonce} (the engine's convention) is a process
     * of this host that no longer runs: its lease need not wait out its expiry. Any other owner
     * name is taken as alive until its lease expires.
     */
    static boolean ownerIsGone(String owner) {
        String[] parts = owner.split(":");
        if (parts.length < 3 || !parts[0].equals(LOCAL_HOST)) {
            return false;
        }
        try {
            long pid = Long.parseLong(parts[1]);
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static final String LOCAL_HOST = localHost();

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Current lease holder, if any lease has not expired. */
    public Optional<String> holder(String agentId) {
        Path f = agents.dir(agentId).resolve("lease.json");
        try {
            Lease l = json.readValue(Files.readAllBytes(f), Lease.class);
            return l.expires().isAfter(clock.instant()) ? Optional.of(l.owner()) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code change} under the OS lock; a non-null result is written and means success. */
    private boolean withLeaseLock(String agentId, UnaryOperator<Lease> change) {
        Path d = agents.dir(agentId);
        synchronized (agents.lock(agentId)) {
            try {
                Files.createDirectories(d);
                try (FileChannel ch = FileChannel.open(d.resolve("lease.lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                    Path f = d.resolve("lease.json");
                    Lease current = null;
                    if (Files.exists(f)) {
                        try {
                            current = json.readValue(Files.readAllBytes(f), Lease.class);
                        } catch (IOException e) {
                            current = null; // a torn lease file counts as no lease
                        }
                    }
                    Lease next = change.apply(current);
                    if (next == null) {
                        return false;
                    }
                    writeAtomically(f, json.writeValueAsBytes(next));
                    return true;
                }
            } catch (IOException e) {
                throw new NightshiftException("cannot take the lease of agent " + agentId + ": " + e.getMessage(), e);
            }
        }
    }
}
