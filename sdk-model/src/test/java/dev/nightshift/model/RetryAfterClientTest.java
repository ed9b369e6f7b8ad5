package dev.nightshift.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryAfterClientTest {

    private static HttpHeaders headers(Map<String, List<String>> map) {
        return HttpHeaders.of(map, (k, v) -> true);
    }

    @Test
    void readsSecondsMillisecondsAndDates() {
        assertThat(RetryAfterClient.note(headers(Map.of("retry-after", List.of("7"))))).contains("(Retry-After: 7 s)");
        assertThat(RetryAfterClient.note(headers(Map.of("retry-after", List.of("0.25"))))).contains("(Retry-After: 250 ms)");
        assertThat(RetryAfterClient.note(headers(Map.of("retry-after-ms", List.of("1500"), "retry-after", List.of("2")))))
                .contains("(Retry-After: 1500 ms)");
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
        assertThat(RetryAfterClient.note(headers(Map.of("retry-after", List.of(date))))).hasValueSatisfying(n ->
                assertThat(n).matches("\\(Retry-After: (2[89]|30) s\\)"));
        assertThat(RetryAfterClient.note(headers(Map.of("retry-after", List.of("soon"))))).isEmpty();
        assertThat(RetryAfterClient.note(headers(Map.of()))).isEmpty();
    }

    @Test
    void readsTheNoteBackFromAnExceptionChain() {
        RuntimeException e = new RuntimeException("wrapped",
                new IllegalStateException("{\"error\":{}}\n(Retry-After: 1500 ms)"));
        assertThat(Models.retryAfter(e)).contains(Duration.ofMillis(1500));
        assertThat(Models.retryAfter(new RuntimeException("Retry-After: 3"))).as("only the appended line counts").isEmpty();
        assertThat(Models.retryAfter(new RuntimeException((String) null))).isEmpty();
    }
}
