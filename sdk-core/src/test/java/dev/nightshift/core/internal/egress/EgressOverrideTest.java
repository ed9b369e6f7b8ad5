package dev.nightshift.core.internal.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.EgressPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EgressOverrideTest {
    static final Instant T = Instant.parse("2026-12-03T06:00:00Z");

    @Test
    void policiesRoundTripThroughTheirText() {
        for (EgressPolicy p : List.of(EgressPolicy.DENY_ALL, EgressPolicy.ALLOW_ALL,
                EgressPolicy.allowOnlyEntries(List.of("a.example.com", "*.b.org", "10.1.2.3")),
                EgressPolicy.allowOnly(EgressPolicy.DEFAULT_HOSTS))) {
            assertThat(EgressOverride.decode(EgressOverride.encode(p))).isEqualTo(p);
            assertThat(EgressOverride.parse(EgressOverride.message(p))).contains(p);
        }
        assertThat(EgressOverride.encode(EgressPolicy.allowOnlyEntries(List.of("a.org", "*.b.org"))))
                .isEqualTo("allow only a.org *.b.org");
    }

    @Test
    void malformedTextFailsClosed() {
        assertThatThrownBy(() -> EgressOverride.decode("allow only https://a.org")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("malformed host");
        assertThatThrownBy(() -> EgressOverride.decode("allow some")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> EgressOverride.decode("allow only ")).isInstanceOf(ValidationException.class);
        assertThat(EgressOverride.parse("blocked egress to a.org:80 in the turn phase")).as("not ours").isEmpty();
    }

    @Test
    void theLastChangeInTheLogIsInForceAcrossPages() {
        List<AgentEvent> log = new ArrayList<>();
        log.add(warning(1, EgressOverride.CODE, EgressOverride.message(EgressPolicy.allowOnlyEntries(List.of("old.org")))));
        for (int i = 2; i < 2500; i++) {
            log.add(new AgentEvent.BuildOutput("a", i, T, "line " + i));
        }
        log.add(warning(2500, "egress-blocked", "blocked egress to x.org:80 in the turn phase"));
        log.add(warning(2501, EgressOverride.CODE, EgressOverride.message(EgressPolicy.allowOnlyEntries(List.of("new.org")))));
        log.add(new AgentEvent.BuildOutput("a", 2502, T, "after"));
        AtomicInteger reads = new AtomicInteger();
        EgressOverride o = new EgressOverride((after, limit) -> {
            reads.incrementAndGet();
            return log.stream().filter(e -> e.sequence() > after).limit(limit).toList();
        });
        assertThat(o.current()).contains(EgressPolicy.allowOnlyEntries(List.of("new.org")));
        assertThat(reads.get()).as("read page by page").isEqualTo(3);
        o.current();
        assertThat(reads.get()).as("read once").isEqualTo(3);
        o.set(EgressPolicy.DENY_ALL);
        assertThat(o.current()).contains(EgressPolicy.DENY_ALL);

        EgressOverride none = new EgressOverride((after, limit) -> log.subList(1, 3).stream()
                .filter(e -> e.sequence() > after).toList());
        assertThat(none.current()).as("control: a log without a change").isEmpty();
    }

    static AgentEvent.Warning warning(long seq, String code, String message) {
        return new AgentEvent.Warning("a", seq, T, code, message);
    }
}
