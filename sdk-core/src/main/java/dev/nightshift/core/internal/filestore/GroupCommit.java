package dev.nightshift.core.internal.filestore;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.common.DaemonThreads;
import dev.nightshift.core.FileAgentStore;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store's group commit: files written (to the operating system) but not yet synced to
 * the disk, and the flusher that syncs them at most the sync interval after they were written.
 * With an interval of zero the writers sync every write themselves ({@link #syncsEveryWrite()}).
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> one per store; the flusher is one
 * daemon thread shared by every store of the JVM.
 */
final class GroupCommit {
    private static final Logger log = LoggerFactory.getLogger(FileAgentStore.class);
    /** One daemon thread syncs for every store of the JVM; a store left unclosed leaks no thread. */
    private static final ScheduledExecutorService FLUSHER =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("nightshift-store-sync"));
    private final Duration syncInterval;
    /** Files written but not yet synced. */
    private final Set<Path> unsynced = ConcurrentHashMap.newKeySet();
    /** Whether a flush is scheduled on {@link #FLUSHER}. */
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    /** The store's name, for messages. */
    private final String store;

    GroupCommit(Duration syncInterval, String store) {
        this.syncInterval = syncInterval;
        this.store = store;
    }

    /** Whether every write is synced before its call returns (an interval of zero): nothing is left to the flusher. */
    boolean syncsEveryWrite() {
        return syncInterval.isZero();
    }

    /** Notes a written file for the flusher, scheduling a flush within the sync interval. */
    void written(Path file) {
        unsynced.add(file);
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                FLUSHER.schedule(this::flushScheduled, syncInterval.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                flushScheduled.set(false);
                sync();
            }
        }
    }

    private void flushScheduled() {
        flushScheduled.set(false);
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("{}: cannot sync written events to disk: {}", store, e.getMessage());
        }
    }

    /**
     * Syncs to disk everything written so far; returns once it is on disk.
     */
    void sync() {
        IOException failed = null;
        for (Path f : List.copyOf(unsynced)) {
            try {
                force(f);
            } catch (IOException e) {
                failed = e;
            }
        }
        if (failed != null) {
            throw new NightshiftException("cannot sync " + store + " to disk: " + failed.getMessage(), failed);
        }
    }

    /** Syncs the files under {@code d} (an agent's directory) written so far. */
    void syncUnder(Path d) throws IOException {
        for (Path f : List.copyOf(unsynced)) {
            if (f.startsWith(d)) {
                force(f);
            }
        }
    }

    /** Syncs one file (through a descriptor of its own: fsync syncs the file, whoever wrote it). */
    private void force(Path f) throws IOException {
        if (!unsynced.remove(f)) {
            return; // synced meanwhile by another caller
        }
        if (!Files.exists(f)) {
            return; // deleted meanwhile: nothing to keep
        }
        try (FileInputStream in = new FileInputStream(f.toFile())) {
            in.getFD().sync();
        } catch (FileNotFoundException e) {
            if (Files.exists(f)) {
                unsynced.add(f);
                throw e;
            }
        } catch (IOException e) {
            unsynced.add(f);
            throw e;
        }
    }

    /** Forgets {@code file}: it is deleted, or replaced by a synced one. */
    void forget(Path file) {
        unsynced.remove(file);
    }

    /** Forgets every file under {@code d} (a deleted agent's directory). */
    void forgetUnder(Path d) {
        unsynced.removeIf(p -> p.startsWith(d));
    }
}
