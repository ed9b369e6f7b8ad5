package dev.nightshift.store.postgres;

import static dev.nightshift.store.postgres.Database.nanos;
import static dev.nightshift.store.postgres.Database.prepare;
import static dev.nightshift.store.postgres.Database.refuseNul;
import static dev.nightshift.store.postgres.Database.unavailable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.Page;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * An {@link AgentStore} on PostgreSQL that several engine processes share. Records, events,
 * conversations and leases are rows (the file store's JSON in {@code json} columns, with the
 * queried fields in columns of their own); the
 * schema is created and upgraded by Flyway migrations when the store opens; connections come from
 * a HikariCP pool.
 *
 * <ul>
 *   <li>Event sequences stay gap-free under concurrent writers in any number of processes: an
 *       event is inserted only when its sequence is the agent's last + 1, and the primary key
 *       {@code (agent_id, seq)} refuses a repeat; otherwise {@link ConflictException}.</li>
 *   <li>Leases are rows with an expiry on this store's {@link Clock} (not the database's
 *       {@code now()}): the engines sharing a database must have synchronised clocks.</li>
 *   <li>Every inserted event is announced with {@code NOTIFY}; {@link #awaitEvents} waits on a
 *       dedicated listening connection, so a reader in another process sees a new event without
 *       polling.</li>
 *   <li>While the database does not answer, writes of records, events and messages wait for it
 *       (retrying, up to {@link Builder#outageTolerance}) and return only once committed, so an
 *       outage loses no acknowledged write; {@link #available()} and a logged warning report it.</li>
 *   <li>Secrets never come here: the engine keeps them in its secret store.</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> {@link Builder#open()} migrates the
 * schema, fills the pool and starts listening; {@link #close()} stops listening and closes the
 * pool. A store holds the pool's connections plus one listening connection.
 *
 * <pre>{@code
 * try (PostgresAgentStore store = PostgresAgentStore.builder("jdbc:postgresql://db:5432/nightshift")
 *         .user("nightshift").password(System.getenv("PGPASSWORD")).open()) {
 *     Nightshift engine = Nightshift.builder().store(store).runtime(runtime).build();
 * }
 * }</pre>
 */
public final class PostgresAgentStore implements AgentStore {
    private static final String MIGRATIONS = "classpath:dev/nightshift/store/postgres/migration";

    private final HikariDataSource pool;
    private final Database db;
    private final PostgresControls controls;
    private final EventNotifications notifications;
    private final Clock clock;

    private PostgresAgentStore(Builder b) {
        this.clock = b.clock;
        Properties credentials = new Properties();
        if (b.user != null) {
            credentials.setProperty("user", b.user);
        }
        if (b.password != null) {
            credentials.setProperty("password", b.password);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(b.jdbcUrl);
        config.setUsername(b.user);
        config.setPassword(b.password);
        config.setMaximumPoolSize(b.maxPoolSize);
        config.setMinimumIdle(Math.min(2, b.maxPoolSize));
        config.setPoolName("nightshift-store");
        config.setConnectionTimeout(b.connectTimeout.toMillis());
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw unavailable("cannot connect to " + b.jdbcUrl, e);
        }
        this.db = new Database(pool, b.jdbcUrl, b.clock, b.outageTolerance);
        this.controls = new PostgresControls(db);
        try {
            Flyway.configure().dataSource(pool).locations(MIGRATIONS).load().migrate();
            this.notifications = new EventNotifications(b.jdbcUrl, credentials);
            notifications.start();
        } catch (FlywayException e) {
            pool.close();
            throw new NightshiftException("cannot migrate the store's schema at " + b.jdbcUrl + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            pool.close();
            throw unavailable("cannot listen for events at " + b.jdbcUrl, e);
        }
    }

    /** A builder for a store at {@code jdbcUrl} ({@code jdbc:postgresql://host:port/database}). */
    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl, null, null, Clock.systemUTC(), 10, Duration.ofSeconds(10), Duration.ofMinutes(15));
    }

    /**
     * A builder from a libpq-style URL, {@code postgresql://[user[:password]@]host[:port]/database[?param=value&...]}
     * (also {@code postgres://}; user and password percent-encoded), as {@code nightshift serve
     * --store} takes it; a {@code jdbc:postgresql://} URL is taken as {@link #builder}. Without a
     * password in the URL, {@code NIGHTSHIFT_STORE_PASSWORD} or else {@code PGPASSWORD} from the
     * environment is used. The password is never logged or put in a message: a bad URL is
     * reported with it replaced by {@code ***}.
     */
    public static Builder fromUrl(String url, java.util.Map<String, String> environment) {
        return PostgresUrl.parse(url, environment);
    }

    @Override
    public void put(AgentInfo info) {
        Objects.requireNonNull(info, "info");
        refuseNul("an agent id", info.id());
        refuseNul("a repository", info.request().repository());
        info.request().labels().forEach((k, v) -> {
            refuseNul("a label", k);
            refuseNul("a label", v);
        });
        String record = StoreJson.write(info);
        String labels = StoreJson.write(info.request().labels());
        db.retrying("save agent " + info.id(), () -> db.execute("""
                insert into agents (id, record, created_ns, status, repository, labels)
                values (?, ?::json, ?, ?, ?, ?::jsonb)
                on conflict (id) do update set record = excluded.record, created_ns = excluded.created_ns,
                    status = excluded.status, repository = excluded.repository, labels = excluded.labels
                """, info.id(), record, nanos(info.createdAt()), info.status().name(),
                info.request().repository(), labels));
    }

    @Override
    public Optional<AgentInfo> get(String agentId) {
        Objects.requireNonNull(agentId, "agentId");
        List<String> rows = db.strings("read agent " + agentId, "select record::text from agents where id = ?", agentId);
        return rows.stream().findFirst().map(json -> StoreJson.read(json, AgentInfo.class, "agent " + agentId));
    }

    @Override
    public Page<AgentInfo> list(AgentQuery query) {
        StringBuilder sql = new StringBuilder("select record::text, created_ns, id from agents where true");
        List<Object> args = new ArrayList<>();
        if (!query.statuses().isEmpty()) {
            sql.append(" and status = any (?)");
            args.add(query.statuses().stream().map(AgentStatus::name).toArray(String[]::new));
        }
        if (query.repository() != null) {
            sql.append(" and repository = ?");
            args.add(query.repository());
        }
        if (!query.labels().isEmpty()) {
            sql.append(" and labels @> ?::jsonb");
            args.add(StoreJson.write(query.labels()));
        }
        if (query.cursor() != null) {
            PageCursor c = PageCursor.decode(query.cursor());
            sql.append(" and (created_ns < ? or (created_ns = ? and id > ?))");
            args.add(c.createdNs());
            args.add(c.createdNs());
            args.add(c.id());
        }
        sql.append(" order by created_ns desc, id asc limit ?");
        args.add(query.limit() + 1);
        List<AgentInfo> items = new ArrayList<>();
        String next = null;
        try (Connection c = db.connection(); PreparedStatement ps = prepare(c, sql.toString(), args.toArray());
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (items.size() == query.limit()) {
                    AgentInfo last = items.get(items.size() - 1);
                    next = new PageCursor(nanos(last.createdAt()), last.id()).encode();
                    break;
                }
                items.add(StoreJson.read(rs.getString(1), AgentInfo.class, "agent " + rs.getString(3)));
            }
        } catch (SQLException e) {
            throw db.failure("list agents", e);
        }
        return new Page<>(items, next);
    }

    @Override
    public void append(AgentEvent event) {
        Objects.requireNonNull(event, "event");
        String body = StoreJson.write(event);
        boolean[] retry = {false};
        int inserted = db.retrying("append event " + event.sequence() + " of " + event.agentId(), () -> {
            if (retry[0] && db.stored("select 1 from events where agent_id = ? and seq = ? and body::text = ?",
                    event.agentId(), event.sequence(), body)) {
                return 1; // the attempt the connection broke under was committed
            }
            retry[0] = true;
            return db.execute("""
                    insert into events (agent_id, seq, body)
                    select ?, ?, ?::json
                    where ? = coalesce((select max(seq) from events where agent_id = ?), 0) + 1
                    """, event.agentId(), event.sequence(), body, event.sequence(), event.agentId());
        });
        if (inserted != 1) {
            throw new ConflictException("event " + event.sequence() + " of " + event.agentId()
                    + " is out of sequence (last " + lastSequence(event.agentId()) + ")");
        }
    }

    @Override
    public long lastSequence(String agentId) {
        try (Connection c = db.connection();
                PreparedStatement ps = prepare(c, "select coalesce(max(seq), 0) from events where agent_id = ?", agentId);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw db.failure("read the last sequence of " + agentId, e);
        }
    }

    @Override
    public List<AgentEvent> events(String agentId, long afterSequence, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return db.strings("read events of " + agentId,
                "select body::text from events where agent_id = ? and seq > ? order by seq limit ?",
                agentId, afterSequence, limit).stream()
                .map(json -> StoreJson.read(json, AgentEvent.class, "an event of " + agentId)).toList();
    }

    /**
     * Up to {@code limit} events after {@code afterSequence}, waiting up to {@code timeout} for the
     * first one to be appended (by any process sharing the database) when there is none yet. The
     * wait is woken by {@code NOTIFY}, not by polling. Returns an empty list when the timeout passes
     * with nothing new.
     */
    public List<AgentEvent> awaitEvents(String agentId, long afterSequence, int limit, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long epoch = notifications.epoch(); // before reading: a notification after the read still wakes us
            List<AgentEvent> found = events(agentId, afterSequence, limit);
            long left = deadline - System.nanoTime();
            if (!found.isEmpty() || left <= 0) {
                return found;
            }
            if (!notifications.await(agentId, afterSequence, epoch, Duration.ofNanos(left))) {
                return events(agentId, afterSequence, limit);
            }
        }
    }

    /**
     * Whether the database answered the last time this store tried it. While it does not, writes
     * of records, events and messages wait for it (up to the builder's
     * {@linkplain Builder#outageTolerance outage tolerance}), other calls fail at once with a
     * {@link NightshiftException} saying the store is unavailable, and a warning is logged once
     * (and a note when it is back).
     */
    public boolean available() {
        return db.available();
    }

    /** Since when the database has not answered, while it does not. */
    public Optional<Instant> unavailableSince() {
        return db.unavailableSince();
    }

    /** Whether the store's listening connection is up (false while it reconnects after a loss). */
    public boolean listening() {
        return notifications.connected();
    }

    @Override
    public void appendMessage(String agentId, ConversationMessage message) {
        Objects.requireNonNull(message, "message");
        String body = StoreJson.write(message);
        boolean[] retry = {false};
        db.retrying("append a message to " + agentId, () -> {
            if (retry[0] && db.stored("select 1 from messages where agent_id = ? and body::text = ?", agentId, body)) {
                return 1; // the attempt the connection broke under was committed
            }
            retry[0] = true;
            return db.execute("insert into messages (agent_id, body) values (?, ?::json)", agentId, body);
        });
    }

    @Override
    public List<ConversationMessage> conversation(String agentId) {
        return db.strings("read the conversation of " + agentId,
                "select body::text from messages where agent_id = ? order by position", agentId).stream()
                .map(json -> StoreJson.read(json, ConversationMessage.class, "a message of " + agentId)).toList();
    }

    @Override
    public void delete(String agentId) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                for (String table : List.of("events", "messages", "leases")) {
                    try (PreparedStatement ps = prepare(c, "delete from " + table + " where agent_id = ?", agentId)) {
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = prepare(c, "delete from agents where id = ?", agentId)) {
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw db.failure("delete agent " + agentId, e);
        }
        notifications.forget(agentId);
    }

    @Override
    public boolean acquireLease(String agentId, String owner, Duration ttl) {
        Objects.requireNonNull(owner, "owner");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a lease needs a positive ttl, was " + ttl);
        }
        long now = nanos(clock.instant());
        return db.update("take the lease on " + agentId, """
                insert into leases (agent_id, owner, expires_ns) values (?, ?, ?)
                on conflict (agent_id) do update set owner = excluded.owner, expires_ns = excluded.expires_ns
                where leases.owner = excluded.owner or leases.expires_ns <= ?
                """, agentId, owner, now + ttl.toNanos(), now) == 1;
    }

    @Override
    public void releaseLease(String agentId, String owner) {
        db.update("release the lease on " + agentId, "delete from leases where agent_id = ? and owner = ?", agentId, owner);
    }

    // ---- Controls between engines: the controls table (V2), see PostgresControls ----

    @Override
    public boolean supportsControls() {
        return true;
    }

    @Override
    public void submitControl(ControlCommand command) {
        controls.submit(command);
    }

    @Override
    public List<ControlCommand> claimControls(Set<String> agentIds, Duration wait) {
        return controls.claim(agentIds, wait);
    }

    @Override
    public void completeControl(ControlResult result) {
        controls.complete(result);
    }

    @Override
    public Optional<ControlResult> awaitControlResult(String agentId, String commandId, Duration timeout) {
        return controls.awaitResult(commandId, timeout);
    }

    @Override
    public boolean withdrawControl(String agentId, String commandId) {
        return controls.withdraw(commandId);
    }

    @Override
    public int purgeControls(Instant sentBefore) {
        return controls.purge(sentBefore);
    }

    @Override
    public void close() {
        notifications.close();
        pool.close();
    }

    /**
     * How to reach the database. Immutable: each setter returns a new builder.
     *
     * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> {@link #open()} may be called more than
     * once; each call opens a separate store (its own pool and listening connection).
     */
    public static final class Builder {
        private final String jdbcUrl;
        private final String user;
        private final String password;
        private final Clock clock;
        private final int maxPoolSize;
        private final Duration connectTimeout;
        private final Duration outageTolerance;

        private Builder(String jdbcUrl, String user, String password, Clock clock, int maxPoolSize,
                Duration connectTimeout, Duration outageTolerance) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("a PostgreSQL store needs a jdbc:postgresql://host[:port]/database URL");
            }
            if (jdbcUrl.contains("password=")) {
                throw new IllegalArgumentException("give the password with password(...), not in the URL (it would be logged)");
            }
            this.jdbcUrl = jdbcUrl;
            this.user = user;
            this.password = password;
            this.clock = Objects.requireNonNull(clock, "clock");
            if (maxPoolSize < 1) {
                throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + maxPoolSize);
            }
            this.maxPoolSize = maxPoolSize;
            if (connectTimeout.isNegative() || connectTimeout.toMillis() < 250) {
                throw new IllegalArgumentException("connectTimeout must be at least 250 ms, was " + connectTimeout);
            }
            this.connectTimeout = connectTimeout;
            if (outageTolerance.isNegative()) {
                throw new IllegalArgumentException("outageTolerance must not be negative, was " + outageTolerance);
            }
            this.outageTolerance = outageTolerance;
        }

        /** The database user. */
        public Builder user(String value) {
            return new Builder(jdbcUrl, value, password, clock, maxPoolSize, connectTimeout, outageTolerance);
        }

        /** The database password; never logged or put in an exception. */
        public Builder password(String value) {
            return new Builder(jdbcUrl, user, value, clock, maxPoolSize, connectTimeout, outageTolerance);
        }

        /** The clock leases expire on (default: the system UTC clock). */
        public Builder clock(Clock value) {
            return new Builder(jdbcUrl, user, password, value, maxPoolSize, connectTimeout, outageTolerance);
        }

        /** The most pooled connections (default 10); the listening connection comes on top. */
        public Builder maxPoolSize(int value) {
            return new Builder(jdbcUrl, user, password, clock, value, connectTimeout, outageTolerance);
        }

        /** How long to wait for a connection before failing (default 10 s). */
        public Builder connectTimeout(Duration value) {
            return new Builder(jdbcUrl, user, password, clock, maxPoolSize, Objects.requireNonNull(value, "value"), outageTolerance);
        }

        /**
         * How long a write of a record, an event or a message waits for a database that does not
         * answer before it fails (default 15 min): an outage shorter than this costs the agents
         * nothing but the wait, and loses no write (a write is acknowledged only once committed).
         */
        public Builder outageTolerance(Duration value) {
            return new Builder(jdbcUrl, user, password, clock, maxPoolSize, connectTimeout,
                    Objects.requireNonNull(value, "value"));
        }

        /** Migrates the schema, opens the pool and starts listening. */
        public PostgresAgentStore open() {
            return new PostgresAgentStore(this);
        }

        @Override
        public String toString() {
            return "PostgresAgentStore.Builder[" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }
}
