package dev.nightshift.core.internal;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentListener;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Session;
import dev.nightshift.api.Subscription;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.common.DaemonThreads;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent that another engine (another process) drives: everything is read from the shared
 * store, and controls are refused with a {@link ConflictException} naming why. The store has no
 * change notification across processes, so waiting and listening here re-read it every
 * {@value #POLL_MILLIS} ms; inside the driving engine they are notified instead.
 */
public final class ReadOnlyAgent implements Agent {
    private static final Logger log = LoggerFactory.getLogger(ReadOnlyAgent.class);
    static final long POLL_MILLIS = 250;

    private final String id;
    private final AgentStore store;

    public ReadOnlyAgent(String id, AgentStore store) {
        this.id = id;
        this.store = store;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public AgentInfo info() {
        return store.get(id).orElseThrow(() -> new NotFoundException("no agent with id " + id));
    }

    private ConflictException driven() {
        return new ConflictException("agent " + id + " is driven by another Nightshift engine (another process"
                + " holds its lease); controls go through that engine, or wait until it lets go");
    }

    @Override public void followUp(String prompt) { throw driven(); }
    @Override public void stop() { throw driven(); }
    @Override public void cancel() { throw driven(); }
    @Override public TakeOver takeOver() { throw driven(); }
    @Override public TakeOver takeOver(String person) { throw driven(); }
    @Override public void handBack() { throw driven(); }
    @Override public String promoteSnapshot() { throw driven(); }
    @Override public void delete() { throw driven(); }

    @Override
    public List<ConversationMessage> conversation() {
        info();
        return store.conversation(id);
    }

    @Override
    public List<AgentEvent> events(long afterSequence, int limit) {
        info();
        return store.events(id, afterSequence, limit);
    }

    @Override
    public Subscription addListener(AgentListener listener, long afterSequence) {
        info();
        return new Tail(listener, afterSequence);
    }

    @Override
    public AgentInfo awaitStatus(Set<AgentStatus> statuses, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            AgentInfo i = info();
            if (statuses.contains(i.status()) || i.status().isFinal()) {
                return i;
            }
            if (System.nanoTime() > deadline) {
                throw new NightshiftTimeoutException("agent " + id + " did not reach " + statuses + " within " + timeout
                        + "; it is " + i.status());
            }
            pause();
        }
    }

    @Override
    public Optional<Session> session() {
        return Optional.empty();
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while reading agent records", e);
        }
    }

    /** Follows the stored event log of an agent driven elsewhere. */
    private final class Tail implements Subscription, Runnable {
        private final AgentListener listener;
        private final AtomicLong cursor;
        private final Thread thread;
        private volatile boolean closed;

        Tail(AgentListener listener, long after) {
            this.listener = listener;
            this.cursor = new AtomicLong(after);
            this.thread = DaemonThreads.daemon(this, "nightshift-tail-" + id);
            this.thread.start();
        }

        @Override
        public void run() {
            while (!closed) {
                List<AgentEvent> batch;
                try {
                    batch = store.events(id, cursor.get(), 256);
                } catch (RuntimeException e) {
                    log.warn("agent {}: cannot read events: {}", id, e.toString());
                    return;
                }
                for (AgentEvent e : batch) {
                    try {
                        listener.onEvent(e);
                    } catch (RuntimeException ex) {
                        log.warn("agent {}: listener threw on event {}; it keeps receiving", id, e.sequence(), ex);
                    }
                    synchronized (this) {
                        cursor.set(e.sequence());
                        notifyAll();
                    }
                }
                if (batch.isEmpty()) {
                    try {
                        pause();
                    } catch (NightshiftException e) {
                        return;
                    }
                }
            }
        }

        @Override
        public boolean awaitDelivered(long sequence, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (this) {
                while (cursor.get() < sequence && !closed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
                return cursor.get() >= sequence;
            }
        }

        @Override
        public void close() {
            closed = true;
            synchronized (this) {
                notifyAll();
            }
            thread.interrupt();
        }
    }
}
