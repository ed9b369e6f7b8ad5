package dev.nightshift.store.postgres;

import dev.nightshift.common.DaemonThreads;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one listening connection: {@code LISTEN nightshift_events} on a connection of its
 * own (outside the pool, which would recycle it), read by a daemon thread that records the newest
 * sequence notified per agent and wakes waiters. When the connection breaks it reconnects with
 * backoff and wakes every waiter, since notifications sent meanwhile were lost: waiters re-read
 * the table, so nothing is missed, only delayed.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> {@link #start} connects and listens
 * before returning; {@link #close} stops the thread and closes the connection.
 */
final class EventNotifications implements AutoCloseable {
    static final String CHANNEL = "nightshift_events";
    private static final long CHECK_EVERY_NANOS = 10_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(EventNotifications.class);

    private final String jdbcUrl;
    private final Properties credentials;
    private final Object monitor = new Object();
    /** The newest sequence notified per agent; bumped (never lowered) by notifications. */
    private final Map<String, Long> notified = new ConcurrentHashMap<>();
    /** Counts reconnects: a waiter that saw it change re-reads even without a notification. */
    private long epoch;
    private volatile boolean closed;
    private volatile Connection connection;
    private Thread reader;

    EventNotifications(String jdbcUrl, Properties credentials) {
        this.jdbcUrl = jdbcUrl;
        this.credentials = credentials;
    }

    void start() throws SQLException {
        connection = listen();
        reader = DaemonThreads.daemon(this::run, "nightshift-store-listen");
        reader.start();
    }

    private Connection listen() throws SQLException {
        Properties p = new Properties();
        p.putAll(credentials);
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "nightshift-store-listen");
        Connection c = DriverManager.getConnection(jdbcUrl, p);
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void run() {
        long backoffMs = 100;
        long lastCheck = System.nanoTime();
        while (!closed) {
            try {
                Connection c = connection;
                if (c == null) {
                    c = listen();
                    connection = c;
                    backoffMs = 100;
                    wakeAll(); // notifications may have been missed while disconnected
                    LOG.info("store notifications: listening again");
                }
                PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(1000);
                if (got == null || got.length == 0) {
                    if (System.nanoTime() - lastCheck > CHECK_EVERY_NANOS) {
                        try (Statement s = c.createStatement()) {
                            s.execute("select 1"); // a silently dead connection shows up here, not in getNotifications
                        }
                        lastCheck = System.nanoTime();
                    }
                } else {
                    for (PGNotification n : got) {
                        record(n.getParameter());
                    }
                    synchronized (monitor) {
                        monitor.notifyAll();
                    }
                }
            } catch (SQLException e) {
                if (closed) {
                    return;
                }
                LOG.warn("store notifications: connection lost ({}); reconnecting", e.getMessage());
                closeQuietly(connection);
                connection = null;
                wakeAll();
                try {
                    Thread.sleep(backoffMs); // backoff between reconnect attempts, not synchronisation
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(5000, backoffMs * 2);
            }
        }
    }

    private void record(String payload) {
        int colon = payload.indexOf(':');
        if (colon <= 0) {
            return;
        }
        try {
            long seq = Long.parseLong(payload.substring(0, colon));
            notified.merge(payload.substring(colon + 1), seq, Math::max);
        } catch (NumberFormatException e) {
            LOG.debug("store notifications: ignoring payload {}", payload);
        }
    }

    private void wakeAll() {
        synchronized (monitor) {
            epoch++;
            monitor.notifyAll();
        }
    }

    /** A point to wait from: read it before looking at the table, then {@link #await} a change. */
    long epoch() {
        synchronized (monitor) {
            return epoch;
        }
    }

    /**
     * Waits until a notification says {@code agentId} has an event after {@code afterSequence},
     * the connection was re-established since {@code fromEpoch}, the store closed, or
     * {@code timeout} passed. Returns whether to look at the table again.
     */
    boolean await(String agentId, long afterSequence, long fromEpoch, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (true) {
                if (notified.getOrDefault(agentId, 0L) > afterSequence || epoch != fromEpoch || closed) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                monitor.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Forgets what was notified for a deleted agent (an agent created again counts from zero). */
    void forget(String agentId) {
        notified.remove(agentId);
    }

    /** Whether the listening connection is up (false while reconnecting). */
    boolean connected() {
        return connection != null;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(connection);
        if (reader != null) {
            reader.interrupt();
        }
        wakeAll();
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing the listening connection: {}", e.getMessage());
            }
        }
    }
}
