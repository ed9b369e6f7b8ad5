package dev.nightshift.api.runtime;

import java.time.Instant;
import java.util.Objects;

/**
 * One request the egress proxy refused: where to and when. Never a header, a body or a path
 * (secrets travel in them).
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * for (EgressBlock b : machine.blockedRequests(Instant.EPOCH)) {
 *     System.out.println(b.host() + ":" + b.port());
 * }
 * }</pre>
 *
 * @param host the host asked for
 * @param port the port asked for
 * @param at when the proxy refused it
 */
public record EgressBlock(String host, int port, Instant at) {
    public EgressBlock {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(at, "at");
    }
}
