package dev.nightshift.model;

import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import java.net.http.HttpClient;

/** The JDK HTTP client every model here uses: HTTP/1.1, the factory's timeouts. */
final class JdkClients {
    private JdkClients() {
    }

    static JdkHttpClientBuilder http11(Models.Resolved r) {
        return new JdkHttpClientBuilder()
                .httpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1))
                .connectTimeout(r.connectTimeout())
                .readTimeout(r.readTimeout());
    }
}
