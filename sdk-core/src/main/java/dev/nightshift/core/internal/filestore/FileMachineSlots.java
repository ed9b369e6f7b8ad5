package dev.nightshift.core.internal.filestore;

import static dev.nightshift.core.internal.filestore.DiskFiles.writeAtomically;
import static dev.nightshift.core.internal.filestore.FileLeases.ownerIsGone;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.core.FileAgentStore;
import dev.nightshift.core.internal.Json;
import dev.nightshift.core.internal.filestore.FileLeases.Lease;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running-machine counter of the file store, shared by every process on its directory:
 * {@code machine-slots.json}, changed under an OS lock on {@code machine-slots.lock}.
 *
 * <p><b>Thread-safety:</b> thread-safe, and safe between processes. Internal: only the file store
 * uses it.
 */
public final class FileMachineSlots {
    private static final Logger log = LoggerFactory.getLogger(FileAgentStore.class);
    private final Path root;
    private final Clock clock;
    private final ObjectMapper json = Json.mapper();
    /** Serialises this process's changes; other processes are kept out by the OS lock. */
    private final Object slotsLock = new Object();

    /** The slots of the store under {@code root}. */
    public FileMachineSlots(Path root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    /** Running-machine slots by holder (agent id): who holds each and until when. */
    record Slots(Map<String, Lease> held) {
        Slots {
            held = held == null ? Map.of() : Map.copyOf(held);
        }
    }

    /**
     * Takes (or renews) {@code holder}'s slot unless {@code max} are held. Slots past their expiry
     * or held by an owner process of this host that is gone ({@code kill -9}) do not count.
     */
    public boolean acquire(String holder, String owner, int max, Duration ttl) {
        return withSlots(held -> {
            if (!held.containsKey(holder) && held.size() >= max) {
                return false;
            }
            held.put(holder, new Lease(owner, clock.instant().plus(ttl)));
            return true;
        });
    }

    public void release(String holder, String owner) {
        withSlots(held -> {
            Lease l = held.get(holder);
            if (l != null && l.owner().equals(owner)) {
                held.remove(holder);
            }
            return true;
        });
    }

    public int inUse() {
        int[] n = new int[1];
        withSlots(held -> {
            n[0] = held.size();
            return true;
        });
        return n[0];
    }

    /** Runs {@code change} on the live slots under the OS lock and writes them back. */
    private boolean withSlots(Predicate<Map<String, Lease>> change) {
        synchronized (slotsLock) {
            try (FileChannel ch = FileChannel.open(root.resolve("machine-slots.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                Path f = root.resolve("machine-slots.json");
                Map<String, Lease> held = new TreeMap<>();
                if (Files.exists(f)) {
                    try {
                        held.putAll(json.readValue(Files.readAllBytes(f), Slots.class).held());
                    } catch (IOException e) {
                        log.warn("{} is unreadable ({}); counting no running machines", f, e.getMessage());
                    }
                }
                Instant now = clock.instant();
                held.values().removeIf(l -> !l.expires().isAfter(now) || ownerIsGone(l.owner()));
                boolean result = change.test(held);
                writeAtomically(f, json.writeValueAsBytes(new Slots(held)));
                return result;
            } catch (IOException e) {
                throw new NightshiftException("cannot count running machines in " + root + ": " + e.getMessage(), e);
            }
        }
    }
}
