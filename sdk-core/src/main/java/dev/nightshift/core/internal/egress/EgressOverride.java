package dev.nightshift.core.internal.egress;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.spec.EgressHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The network policy set on one agent by {@link dev.nightshift.api.Agent#updateEgress}: it replaces
 * what the spec and the embedder's settings give the agent's machines, for the running machine and
 * for every machine the agent gets later (a restore after a hibernation, a new engine).
 *
 * <p>It is kept in the agent's event log, the one record every store keeps with the agent: each
 * change is a warning event (code {@value #CODE}) whose message names the policy, which
 * {@code nightshift logs} shows; the last one is in force. An engine that did not make the change
 * (after a restart, or another process) reads it from the log once, when it first needs it.
 *
 * <p>Thread-safety: thread-safe (its state under its own monitor). Lifecycle: one per agent actor.
 */
public final class EgressOverride {
    /** The warning code of a change. */
    public static final String CODE = "egress-changed";
    private static final String PREFIX = "network policy of this agent's machines set to: ";
    private static final String ALL = "allow all";
    private static final String NOTHING = "allow nothing";
    private static final String ONLY = "allow only ";
    private static final int PAGE = 1000;

    private final BiFunction<Long, Integer, List<AgentEvent>> events;
    private boolean loaded;
    private EgressPolicy policy;

    /** @param events the agent's events after a sequence number, at most so many, in order */
    public EgressOverride(BiFunction<Long, Integer, List<AgentEvent>> events) {
        this.events = events;
    }

    /** The policy set on the agent, or empty when none was (the spec's then holds). */
    public synchronized Optional<EgressPolicy> current() {
        if (!loaded) {
            policy = latest(events).orElse(null);
            loaded = true;
        }
        return Optional.ofNullable(policy);
    }

    /** Records that {@code value} is now in force (its event is the caller's: {@link #message}). */
    public synchronized void set(EgressPolicy value) {
        policy = value;
        loaded = true;
    }

    /** The last policy set in an event log, read page by page. */
    static Optional<EgressPolicy> latest(BiFunction<Long, Integer, List<AgentEvent>> events) {
        EgressPolicy last = null;
        long after = 0;
        while (true) {
            List<AgentEvent> page = events.apply(after, PAGE);
            for (AgentEvent e : page) {
                if (e instanceof AgentEvent.Warning w && w.code().equals(CODE)) {
                    last = parse(w.message()).orElse(last);
                }
                after = Math.max(after, e.sequence());
            }
            if (page.size() < PAGE) {
                return Optional.ofNullable(last);
            }
        }
    }

    /** The message of the event that records {@code value}. */
    public static String message(EgressPolicy value) {
        return PREFIX + encode(value);
    }

    /** The policy an event's message records, or empty when it is not one of ours. */
    static Optional<EgressPolicy> parse(String message) {
        if (!message.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(decode(message.substring(PREFIX.length())));
        } catch (ValidationException e) {
            return Optional.empty();
        }
    }

    /** {@code allow all}, {@code allow nothing} or {@code allow only HOST HOST...}. */
    public static String encode(EgressPolicy value) {
        if (value.allowAll()) {
            return ALL;
        }
        if (value.hosts().isEmpty()) {
            return NOTHING;
        }
        return ONLY + String.join(" ", value.hosts().stream().map(EgressHost::toString).toList());
    }

    /** The policy {@link #encode} wrote; a malformed text or host is a {@link ValidationException}. */
    public static EgressPolicy decode(String text) {
        String t = text.strip();
        if (t.equals(ALL)) {
            return EgressPolicy.ALLOW_ALL;
        }
        if (t.equals(NOTHING)) {
            return EgressPolicy.DENY_ALL;
        }
        if (!t.startsWith(ONLY)) {
            throw new ValidationException("not a network policy: '" + text + "' (allow all, allow nothing or allow only"
                    + " HOST...)");
        }
        List<EgressHost> hosts = new ArrayList<>();
        for (String entry : t.substring(ONLY.length()).strip().split("\\s+")) {
            Optional<String> problem = EgressHost.problem(entry);
            if (problem.isPresent()) {
                throw new ValidationException("malformed host '" + entry + "' in a network policy: " + problem.get());
            }
            hosts.add(EgressHost.parse(entry));
        }
        return EgressPolicy.allowOnly(hosts);
    }
}
