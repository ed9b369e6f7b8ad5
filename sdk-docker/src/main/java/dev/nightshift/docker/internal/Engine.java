package dev.nightshift.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.nightshift.api.EnvironmentUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds a Docker engine the way Testcontainers does and holds the docker-java client to it:
 * an explicit host, else {@code DOCKER_HOST}, else the usual socket locations; the first that
 * answers a ping wins. When none answers, one exception lists every candidate and why it failed.
 *
 * <p>Thread-safety: thread-safe; the client is created once, on first use. Lifecycle: closed
 * with its runtime.
 */
public final class Engine implements AutoCloseable {
    private final String explicitHost;
    private volatile DockerClient client;
    private volatile String host;
    private volatile boolean closed;

    public Engine(String explicitHost) {
        this.explicitHost = explicitHost;
    }

    /** The connected client, discovering the engine on first call. */
    public DockerClient client() {
        DockerClient c = client;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the Docker runtime is closed");
            }
            if (client == null) {
                connect();
            }
            return client;
        }
    }

    /** The host that answered, e.g. {@code unix:///var/run/docker.sock}. */
    public String host() {
        client();
        return host;
    }

    /** Whether the engine is reached through its default local socket (no {@code -H} needed for the CLI). */
    public boolean isDefaultHost() {
        String h = host();
        return h.equals("unix:///var/run/docker.sock") && System.getenv("DOCKER_HOST") == null;
    }

    private void connect() {
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates()) {
            DockerClient c = null;
            try {
                DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                        .withDockerHost(candidate).build();
                ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                        .dockerHost(config.getDockerHost())
                        .connectionTimeout(Duration.ofSeconds(5))
                        .maxConnections(256)
                        .build();
                c = DockerClientImpl.getInstance(config, http);
                c.pingCmd().exec();
                client = c;
                host = candidate;
                return;
            } catch (RuntimeException e) {
                tried.add(candidate + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
                closeQuietly(c);
            }
        }
        throw new EnvironmentUnavailableException("no Docker engine answers; tried " + String.join(", ", tried)
                + ". Start one (scripts/docker-up in the Nightshift repository, or 'sudo systemctl start docker'),"
                + " or point DOCKER_HOST / DockerRuntime.builder().dockerHost(..) at one");
    }

    private List<String> candidates() {
        Set<String> out = new LinkedHashSet<>();
        if (explicitHost != null) {
            out.add(explicitHost);
            return List.copyOf(out);
        }
        String env = System.getenv("DOCKER_HOST");
        if (env != null && !env.isBlank()) {
            out.add(env);
        }
        List<Path> sockets = new ArrayList<>();
        sockets.add(Path.of("/var/run/docker.sock"));
        String home = System.getProperty("user.home");
        if (home != null) {
            sockets.add(Path.of(home, ".docker", "run", "docker.sock"));
            sockets.add(Path.of(home, ".docker", "desktop", "docker.sock"));
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null) {
            sockets.add(Path.of(xdg, "docker.sock"));
        }
        for (Path s : sockets) {
            if (Files.exists(s) || out.isEmpty()) {
                out.add(URI.create("unix://" + s.toAbsolutePath()).toString());
            }
        }
        return List.copyOf(out);
    }

    private static void closeQuietly(DockerClient c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeQuietly(client);
        client = null;
    }
}
