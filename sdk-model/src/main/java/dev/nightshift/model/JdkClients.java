package dev.nightshift.model;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import java.time.Duration;

/**
 * The HTTP client every model here uses: the JDK client on HTTP/1.1 with the factory's
 * timeouts, keeping {@code Retry-After} on error responses ({@link RetryAfterClient}).
 *
 * <p>langchain4j's model builders overwrite the client builder's timeouts with their own
 * {@code timeout(..)} or defaults (OpenAI: 15 s connect, 60 s read), so the builder handed to
 * them keeps ours and ignores those calls.
 */
final class JdkClients {
    private JdkClients() {
    }

    static HttpClientBuilder http11(Models.Resolved r) {
        return new FixedTimeouts(r.connectTimeout(), r.readTimeout());
    }

    private static final class FixedTimeouts implements HttpClientBuilder {
        private final Duration connect;
        private final Duration read;

        FixedTimeouts(Duration connect, Duration read) {
            this.connect = connect;
            this.read = read;
        }

        @Override
        public Duration connectTimeout() {
            return connect;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration ignored) {
            return this;
        }

        @Override
        public Duration readTimeout() {
            return read;
        }

        @Override
        public HttpClientBuilder readTimeout(Duration ignored) {
            return this;
        }

        @Override
        public HttpClient build() {
            return new JdkHttpClientBuilder()
                    .httpClientBuilder(RetryAfterClient.wrapping(
                            java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)))
                    .connectTimeout(connect)
                    .readTimeout(read)
                    .build();
        }
    }
}
