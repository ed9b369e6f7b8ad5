package dev.nightshift.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's way to the database: statements on the pool's connections, whether the database
 * answers (a warning once when it stops, a note when it is back), writes retried through an
 * outage, and SQL errors turned into {@link NightshiftException}s that say what could not be done.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> owned by its {@link PostgresAgentStore},
 * which closes the pool.
 */
final class Database {
    private static final Logger log = LoggerFactory.getLogger(PostgresAgentStore.class);

    private final HikariDataSource pool;
    private final String jdbcUrl;
    private final Clock clock;
    private final Duration outageTolerance;
    private final Object availability = new Object();
    private Instant unavailableSince; // guarded by availability

    Database(HikariDataSource pool, String jdbcUrl, Clock clock, Duration outageTolerance) {
        this.pool = pool;
        this.jdbcUrl = jdbcUrl;
        this.clock = clock;
        this.outageTolerance = outageTolerance;
    }

    /** A write that must not be lost to an outage. */
    @FunctionalInterface
    interface Write {
        int run() throws SQLException;
    }

    /** Whether the database answered the last time the store tried it. */
    boolean available() {
        synchronized (availability) {
            return unavailableSince == null;
        }
    }

    /** Since when the database has not answered, while it does not. */
    Optional<Instant> unavailableSince() {
        synchronized (availability) {
            return Optional.ofNullable(unavailableSince);
        }
    }

    Connection connection() throws SQLException {
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            if (connectionFailure(e)) {
                lost(e);
            }
            throw e;
        }
        back();
        return c;
    }

    private void lost(SQLException e) {
        synchronized (availability) {
            if (unavailableSince != null) {
                return;
            }
            unavailableSince = clock.instant();
        }
        log.warn("the PostgreSQL store at {} is unavailable ({}); agents keep their machines, and records, events and"
                + " messages wait up to {} for it", jdbcUrl, e.getMessage(), outageTolerance);
    }

    private void back() {
        Instant since;
        synchronized (availability) {
            since = unavailableSince;
            unavailableSince = null;
        }
        if (since != null) {
            log.info("the PostgreSQL store at {} is available again (it was not for {})", jdbcUrl,
                    Duration.between(since, clock.instant()));
        }
    }

    /** Connection lost, refused, or the server shutting down. */
    private static boolean connectionFailure(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLRecoverableException
                    || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code write}; while the database is unreachable, tries again (backing off to 2 s) for up
     * to the outage tolerance, then fails. {@code write} must be safe to repeat.
     */
    int retrying(String what, Write write) {
        long deadline = System.nanoTime() + outageTolerance.toNanos();
        long backoff = 100;
        while (true) {
            try {
                return write.run();
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) { // unique_violation: another writer took that key
                    throw new ConflictException("cannot " + what + ": it already exists", e);
                }
                if (!connectionFailure(e)) {
                    throw failure(what, e);
                }
                lost(e);
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) > deadline) {
                    throw unavailable("cannot " + what + " (waited " + outageTolerance + ")", e);
                }
                try {
                    Thread.sleep(backoff); // back-off between attempts against a database that is down
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw unavailable("interrupted waiting to " + what, e);
                }
                backoff = Math.min(2000, backoff * 2);
            }
        }
    }

    int execute(String sql, Object... args) throws SQLException {
        try (Connection c = connection(); PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    boolean stored(String sql, Object... args) throws SQLException {
        try (Connection c = connection(); PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof String[] array) {
                    ps.setArray(i + 1, c.createArrayOf("text", array));
                } else {
                    ps.setObject(i + 1, a);
                }
            }
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
        return ps;
    }

    int update(String what, String sql, Object... args) {
        try (Connection c = connection(); PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) { // unique_violation: another writer took that key
                throw new ConflictException("cannot " + what + ": it already exists", e);
            }
            throw failure(what, e);
        }
    }

    List<String> strings(String what, String sql, Object... args) {
        List<String> out = new ArrayList<>();
        try (Connection c = connection(); PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
        return out;
    }

    /** PostgreSQL's text cannot hold U+0000: the columns that are queried refuse it up front. */
    static void refuseNul(String what, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " with the character U+0000 cannot be stored in PostgreSQL");
        }
    }

    /** A time as the nanoseconds since the epoch that the {@code *_ns} columns hold. */
    static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    NightshiftException failure(String what, SQLException e) {
        if (connectionFailure(e)) {
            lost(e);
            return unavailable("cannot " + what, e);
        }
        return new NightshiftException("cannot " + what + ": " + e.getMessage(), e);
    }

    static NightshiftException unavailable(String what, Exception e) {
        return new NightshiftException(what + ": the PostgreSQL store is unavailable (" + e.getMessage() + ")", e);
    }
}
