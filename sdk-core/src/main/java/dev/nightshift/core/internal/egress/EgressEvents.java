package dev.nightshift.core.internal.egress;

import dev.nightshift.api.runtime.EgressBlock;
import dev.nightshift.api.runtime.Machine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the requests a machine's egress proxy refused into what people see: one warning event per
 * blocked host and port (code {@value #CODE}; host, port, phase, count, first time), at most
 * {@value #MAX_EVENTS} per phase and then one line saying how many more, and a line for the
 * turn's summary. Never a path, header or body: the proxy does not record them.
 *
 * <p>Thread-safety: stateless. Lifecycle: static.
 */
public final class EgressEvents {
    /** The warning code of a blocked request. */
    public static final String CODE = "egress-blocked";
    /** At most this many events per phase (the rate limit); the rest are counted in one more event. */
    public static final int MAX_EVENTS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(EgressEvents.class);

    private EgressEvents() {
    }

    /** One blocked destination: the first refusal and how many there were. */
    public record Blocked(String host, int port, Instant first, int count) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * Reports what {@code machine} had refused since {@code since} in {@code phase} through
     * {@code warning} (a message per event); returns the destinations, in order of first refusal.
     * A machine whose blocks cannot be read reports nothing (logged).
     */
    public static List<Blocked> report(Machine machine, Instant since, String phase, Consumer<String> warning) {
        List<EgressBlock> blocks;
        try {
            blocks = machine.blockedRequests(since);
        } catch (RuntimeException e) {
            LOG.warn("could not read the blocked requests of machine {}: {}", machine.id(), e.toString());
            return List.of();
        }
        return report(blocks, phase, warning);
    }

    /** {@link #report(Machine, Instant, String, Consumer)} over blocks already read. */
    public static List<Blocked> report(List<EgressBlock> blocks, String phase, Consumer<String> warning) {
        Map<String, Blocked> by = new LinkedHashMap<>();
        for (EgressBlock b : blocks) {
            by.merge(b.host() + ":" + b.port(), new Blocked(b.host(), b.port(), b.at(), 1),
                    (a, n) -> new Blocked(a.host(), a.port(), a.first(), a.count() + 1));
        }
        List<Blocked> out = new ArrayList<>(by.values());
        int shown = 0;
        for (Blocked b : out) {
            if (shown == MAX_EVENTS) {
                warning.accept("blocked egress to " + (out.size() - MAX_EVENTS) + " more destinations in the " + phase
                        + " phase (not listed one by one)");
                break;
            }
            warning.accept("blocked egress to " + b.host() + ":" + b.port() + " in the " + phase + " phase ("
                    + b.count() + (b.count() == 1 ? " request" : " requests") + ", first at " + b.first() + ")");
            shown++;
        }
        return List.copyOf(out);
    }

    /** {@code summary} with a line naming the blocked destinations, or unchanged when there are none. */
    public static String summary(String summary, List<Blocked> blocked) {
        if (blocked.isEmpty()) {
            return summary;
        }
        List<String> names = blocked.stream().limit(20).map(Blocked::toString).toList();
        return summary + "\n\nBlocked network requests: " + String.join(", ", names)
                + (blocked.size() > names.size() ? " and " + (blocked.size() - names.size()) + " more" : "");
    }
}
