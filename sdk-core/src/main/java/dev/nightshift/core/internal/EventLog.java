package dev.nightshift.core.internal;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentListener;
import dev.nightshift.api.Subscription;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.common.DaemonThreads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's event log: numbers events, redacts them, appends them to the store, keeps the most
 * recent in memory, and feeds subscribers.
 *
 * <p>Each subscriber has its own daemon thread and its own cursor and pulls events (from memory
 * when recent, else from the store), so a slow or blocked listener only falls behind; it never
 * stalls the agent, other listeners, or memory. A listener that throws is logged and keeps
 * receiving.
 */
public final class EventLog {
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);
    private static final int RECENT = 4096;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String agentId;
    private final AgentStore store;
    private volatile UnaryOperator<String> redactor;
    /** For command output, whose secrets left at the byte stream already (RecordingMachine). */
    private volatile UnaryOperator<String> streamed;
    private final ArrayDeque<AgentEvent> recent = new ArrayDeque<>();
    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private long last;

    public EventLog(String agentId, AgentStore store, long lastSequence, UnaryOperator<String> redactor) {
        this.agentId = agentId;
        this.store = store;
        this.last = lastSequence;
        this.redactor = redactor;
        this.streamed = redactor;
    }

    /** Numbers, redacts, stores and publishes {@code event} (its sequence is ignored); returns it as stored. */
    public AgentEvent append(AgentEvent event) {
        AgentEvent stored;
        synchronized (this) {
            stored = Redaction.redact(event, event instanceof AgentEvent.CommandOutput ? streamed : redactor)
                    .withSequence(last + 1);
            store.append(stored);
            last = stored.sequence();
            recent.addLast(stored);
            if (recent.size() > RECENT) {
                recent.removeFirst();
            }
            notifyAll();
        }
        return stored;
    }

    /** Replaces the redactor applied to events appended from now on. */
    public void redactor(UnaryOperator<String> value) {
        redactor(value, value);
    }

    /**
     * Replaces the redactors applied to events appended from now on: {@code value} to every event
     * but command output, {@code forCommandOutput} to command output, whose lines were cut from a
     * byte stream the same secrets were already redacted from (so only what is left of
     * {@code value}, e.g. the embedder's own redactor, still applies).
     */
    public void redactor(UnaryOperator<String> value, UnaryOperator<String> forCommandOutput) {
        streamed = forCommandOutput;
        redactor = value;
    }

    public UnaryOperator<String> redactor() {
        return redactor;
    }

    public synchronized long lastSequence() {
        return last;
    }

    /** Forgets every event (the agent's log was purged from the store, leaving a tombstone). */
    public synchronized void reset() {
        recent.clear();
        last = 0;
    }

    /** Up to {@code limit} events after {@code after}, from memory when it has them all. */
    public List<AgentEvent> read(long after, int limit) {
        synchronized (this) {
            AgentEvent first = recent.peekFirst();
            if (first != null && first.sequence() <= after + 1) {
                List<AgentEvent> out = new ArrayList<>(Math.min(limit, recent.size()));
                for (AgentEvent e : recent) {
                    if (e.sequence() > after) {
                        out.add(e);
                        if (out.size() >= limit) {
                            break;
                        }
                    }
                }
                return out;
            }
            if (after >= last) {
                return List.of();
            }
        }
        return store.events(agentId, after, limit);
    }

    /** Delivers every event after {@code after}, then live ones, on a thread of its own. */
    public Subscription subscribe(AgentListener listener, long after) {
        Sub sub = new Sub(listener, after);
        subs.add(sub);
        sub.thread.start();
        return sub;
    }

    /** Stops every subscriber thread (engine close). */
    public void closeAll() {
        subs.forEach(Sub::close);
    }

    private final class Sub implements Subscription, Runnable {
        private final AgentListener listener;
        private final Thread thread;
        private volatile boolean closed;
        private long cursor; // guarded by this

        Sub(AgentListener listener, long after) {
            this.listener = listener;
            this.cursor = after;
            this.thread = DaemonThreads.daemon(this, "nightshift-listener-" + agentId + "-" + THREADS.incrementAndGet());
        }

        @Override
        public void run() {
            while (!closed) {
                List<AgentEvent> batch;
                try {
                    synchronized (EventLog.this) {
                        while (!closed && last <= cursor) {
                            EventLog.this.wait();
                        }
                    }
                    if (closed) {
                        return;
                    }
                    batch = read(cursor, 256);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    log.warn("agent {}: cannot read events for a listener: {}", agentId, e.toString());
                    return;
                }
                for (AgentEvent e : batch) {
                    if (closed) {
                        return;
                    }
                    try {
                        listener.onEvent(e);
                    } catch (RuntimeException ex) {
                        log.warn("agent {}: listener {} threw on event {}; it keeps receiving", agentId,
                                listener.getClass().getName(), e.sequence(), ex);
                    }
                    synchronized (this) {
                        cursor = e.sequence();
                        notifyAll();
                    }
                }
            }
        }

        @Override
        public boolean awaitDelivered(long sequence, java.time.Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (this) {
                while (cursor < sequence && !closed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
                return cursor >= sequence;
            }
        }

        @Override
        public void close() {
            closed = true;
            synchronized (this) {
                notifyAll();
            }
            subs.remove(this);
            synchronized (EventLog.this) {
                EventLog.this.notifyAll();
            }
            thread.interrupt();
        }
    }
}
