package dev.nightshift.store.postgres;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Page;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The PostgreSQL store configured from the process's settings, for engines that find their store
 * by class name ({@code NIGHTSHIFT_STORE=dev.nightshift.store.postgres.ConfiguredPostgresAgentStore}
 * or {@code -Dnightshift.store=...}, e.g. the CLI and {@code nightshift serve}). Each setting is
 * read from a system property, else an environment variable:
 * <ul>
 *   <li>{@code nightshift.store.url} / {@code NIGHTSHIFT_STORE_URL}: {@code postgresql://[user[:password]@]host[:port]/db}
 *       or {@code jdbc:postgresql://host:port/db} (required; see {@link PostgresAgentStore#fromUrl})</li>
 *   <li>{@code nightshift.store.user} / {@code NIGHTSHIFT_STORE_USER}</li>
 *   <li>{@code NIGHTSHIFT_STORE_PASSWORD}, else {@code PGPASSWORD}: environment only, so the
 *       password is never on a command line</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> thread-safe (delegates to {@link PostgresAgentStore}). <b>Lifecycle:</b>
 * the constructor opens the store; {@link #close()} closes it.
 */
public final class ConfiguredPostgresAgentStore implements AgentStore {
    private final PostgresAgentStore store;

    /** Opens the store the settings describe; a missing URL is a clear error. */
    public ConfiguredPostgresAgentStore() {
        String url = setting("nightshift.store.url", "NIGHTSHIFT_STORE_URL");
        if (url == null) {
            throw new IllegalArgumentException("the PostgreSQL store needs nightshift.store.url or NIGHTSHIFT_STORE_URL"
                    + " (postgresql://user@host:port/database)");
        }
        PostgresAgentStore.Builder b = PostgresAgentStore.fromUrl(url, System.getenv()); // password from the environment
        String user = setting("nightshift.store.user", "NIGHTSHIFT_STORE_USER");
        if (user != null) {
            b = b.user(user);
        }
        this.store = b.open();
    }

    private static String setting(String property, String variable) {
        String v = System.getProperty(property, System.getenv(variable));
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** The store behind this one, for {@link PostgresAgentStore#awaitEvents}. */
    public PostgresAgentStore store() {
        return store;
    }

    @Override
    public void put(AgentInfo info) {
        store.put(info);
    }

    @Override
    public Optional<AgentInfo> get(String agentId) {
        return store.get(agentId);
    }

    @Override
    public Page<AgentInfo> list(AgentQuery query) {
        return store.list(query);
    }

    @Override
    public void append(AgentEvent event) {
        store.append(event);
    }

    @Override
    public long lastSequence(String agentId) {
        return store.lastSequence(agentId);
    }

    @Override
    public List<AgentEvent> events(String agentId, long afterSequence, int limit) {
        return store.events(agentId, afterSequence, limit);
    }

    @Override
    public void appendMessage(String agentId, ConversationMessage message) {
        store.appendMessage(agentId, message);
    }

    @Override
    public List<ConversationMessage> conversation(String agentId) {
        return store.conversation(agentId);
    }

    @Override
    public void delete(String agentId) {
        store.delete(agentId);
    }

    @Override
    public boolean acquireLease(String agentId, String owner, Duration ttl) {
        return store.acquireLease(agentId, owner, ttl);
    }

    @Override
    public void releaseLease(String agentId, String owner) {
        store.releaseLease(agentId, owner);
    }

    @Override
    public boolean acquireMachineSlot(String holder, String owner, int max, Duration ttl) {
        return store.acquireMachineSlot(holder, owner, max, ttl);
    }

    @Override
    public void releaseMachineSlot(String holder, String owner) {
        store.releaseMachineSlot(holder, owner);
    }

    @Override
    public int machineSlotsInUse() {
        return store.machineSlotsInUse();
    }

    @Override
    public boolean supportsControls() {
        return store.supportsControls();
    }

    @Override
    public void submitControl(ControlCommand command) {
        store.submitControl(command);
    }

    @Override
    public List<ControlCommand> claimControls(Set<String> agentIds, Duration wait) {
        return store.claimControls(agentIds, wait);
    }

    @Override
    public void completeControl(ControlResult result) {
        store.completeControl(result);
    }

    @Override
    public Optional<ControlResult> awaitControlResult(String agentId, String commandId, Duration timeout) {
        return store.awaitControlResult(agentId, commandId, timeout);
    }

    @Override
    public boolean withdrawControl(String agentId, String commandId) {
        return store.withdrawControl(agentId, commandId);
    }

    @Override
    public int purgeControls(Instant sentBefore) {
        return store.purgeControls(sentBefore);
    }

    @Override
    public void close() {
        store.close();
    }
}
