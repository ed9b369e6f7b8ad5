package dev.nightshift.core.internal.egress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.EgressBlock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressEventsTest {
    static final Instant T = Instant.parse("2026-12-03T06:00:00Z");

    @Test
    void oneEventPerDestinationWithItsCountAndFirstTime() {
        List<String> events = new ArrayList<>();
        List<EgressEvents.Blocked> b = EgressEvents.report(List.of(new EgressBlock("a.org", 80, T),
                new EgressBlock("a.org", 80, T.plusSeconds(5)), new EgressBlock("a.org", 443, T.plusSeconds(6))),
                "turn", events::add);
        assertThat(events).containsExactly(
                "blocked egress to a.org:80 in the turn phase (2 requests, first at 2026-12-03T06:00:00Z)",
                "blocked egress to a.org:443 in the turn phase (1 request, first at 2026-12-03T06:00:06Z)");
        assertThat(EgressEvents.summary("did it", b)).isEqualTo("did it\n\nBlocked network requests: a.org:80, a.org:443");
        assertThat(EgressEvents.summary("did it", List.of())).as("control: nothing blocked").isEqualTo("did it");
    }

    @Test
    void eventsAreRateLimitedPerPhase() {
        List<EgressBlock> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(new EgressBlock("h" + (i % 25) + ".org", 443, T.plusMillis(i)));
        }
        List<String> events = new ArrayList<>();
        List<EgressEvents.Blocked> b = EgressEvents.report(many, "build", events::add);
        assertThat(b).hasSize(25);
        assertThat(events).hasSize(EgressEvents.MAX_EVENTS + 1);
        assertThat(events.get(EgressEvents.MAX_EVENTS)).isEqualTo(
                "blocked egress to 15 more destinations in the build phase (not listed one by one)");
        assertThat(EgressEvents.summary("s", b)).endsWith(" and 5 more");
    }
}
