package dev.nightshift.server;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.core.Nightshift;
import dev.nightshift.server.internal.AuthApi;
import dev.nightshift.server.internal.RateLimiter;
import dev.nightshift.server.internal.ServerMetrics;
import dev.nightshift.server.internal.V0Api;
import dev.nightshift.server.internal.V1Api;
import dev.nightshift.server.internal.Webhooks;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Nightshift as a service: Cursor's Cloud Agents HTTP API (v0, and v1 as {@code @cursor/sdk} speaks it)
 * over one engine, on Jetty.
 * Requests carry an API key ({@link ApiKeys}); agents belong to the owner of the key that made
 * them. {@link #close()} stops accepting, lets requests in flight finish (up to the stop
 * timeout), and leaves the engine to its owner.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> {@link Builder#start()} starts it;
 * {@link #close()} stops it (idempotent); it never closes the engine it serves.
 *
 * <pre>{@code
 * try (Nightshift engine = Nightshift.builder().build();
 *      NightshiftServer server = NightshiftServer.builder(engine, ApiKeys.open(stateDir)).port(8080).start()) {
 *     server.join();
 * }
 * }</pre>
 */
public final class NightshiftServer implements AutoCloseable {
    private final Server jetty;
    private final int port;
    private final Webhooks webhooks;

    private NightshiftServer(Server jetty, int port, Webhooks webhooks) {
        this.jetty = jetty;
        this.port = port;
        this.webhooks = webhooks;
    }

    /** The label naming the owner of the API key that spawned an agent (set by the server, never by a client). */
    public static final String OWNER_LABEL = "nightshift.server.owner";

    /** The owner of the API key that spawned the agent of {@code request}, if the server spawned it. */
    public static java.util.Optional<String> owner(dev.nightshift.api.AgentRequest request) {
        return java.util.Optional.ofNullable(request.labels().get(OWNER_LABEL));
    }

    /**
     * Git credentials per API key owner, for the engine a server serves
     * ({@code Nightshift.Builder.agentGitCredentials}): an agent the server spawned fetches and
     * pushes (its repository, submodules and {@code repositoryDependencies}) with
     * {@code perOwner.apply(owner)} only, so two owners' credentials never mix; the owner is
     * read from the agent's stored request, so this holds after a restart too. An agent the
     * server did not spawn (no owner) gets {@code unowned}.
     *
     * <pre>{@code
     * GitCredentialStore stored = new GitCredentialStore(SecretStore.open(stateDir, LocalKms.openDefault(stateDir)));
     * Nightshift engine = Nightshift.builder().stateDirectory(stateDir)
     *         .agentGitCredentials(NightshiftServer.gitCredentialsPerOwner(
     *                 owner -> stored.credentials(SecretContext.of(owner)), GitCredentials.NONE))
     *         .build();
     * }</pre>
     */
    public static dev.nightshift.api.spi.AgentGitCredentials gitCredentialsPerOwner(
            java.util.function.Function<String, dev.nightshift.api.spi.GitCredentials> perOwner,
            dev.nightshift.api.spi.GitCredentials unowned) {
        java.util.Objects.requireNonNull(perOwner, "perOwner");
        java.util.Objects.requireNonNull(unowned, "unowned");
        return request -> owner(request).map(perOwner).orElse(unowned);
    }

    public static Builder builder(Nightshift engine, ApiKeys keys) {
        return new Builder(engine, keys);
    }

    /** The port it listens on (the chosen one when {@link Builder#port(int)} was 0). */
    public int port() {
        return port;
    }

    /** Waits until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    @Override
    public void close() {
        webhooks.close(); // pending deliveries stay on disk for the next start
        try {
            if (!jetty.isStopped()) {
                jetty.stop();
            }
        } catch (Exception e) {
            throw new NightshiftException("the server did not stop cleanly: " + e.getMessage(), e);
        }
    }

    /**
     * Configures a server; {@link #start()} makes it.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> reusable.
     */
    public static final class Builder {
        private final Nightshift engine;
        private final ApiKeys keys;
        private String bind = "127.0.0.1";
        private int port = 8080;
        private double requestsPerSecond = 50;
        private int burst = 100;
        private int maxBodyBytes = 256 * 1024;
        private Duration stopTimeout = Duration.ofSeconds(10);
        private List<String> models = List.of("shell");
        private List<String> repositories = List.of();
        private Duration heartbeat = Duration.ofSeconds(15);
        private Duration webhookFirstRetry = Duration.ofSeconds(1);
        private int webhookAttempts = 10;

        private Builder(Nightshift engine, ApiKeys keys) {
            this.engine = Objects.requireNonNull(engine, "engine");
            this.keys = Objects.requireNonNull(keys, "keys");
        }

        /** The address to listen on (default {@code 127.0.0.1}: only this host). */
        public Builder bind(String value) { bind = Objects.requireNonNull(value); return this; }
        /** The port (default 8080; 0 picks a free one). */
        public Builder port(int value) { port = value; return this; }
        /** Per-key rate limit: average requests a second and burst (default 50 and 100). */
        public Builder rateLimit(double perSecond, int burstSize) { requestsPerSecond = perSecond; burst = burstSize; return this; }
        /** The largest request body accepted (default 256 KiB); larger ones get 413. */
        public Builder maxBodyBytes(int value) { maxBodyBytes = value; return this; }
        /** How long {@link NightshiftServer#close()} lets requests in flight finish (default 10 s). */
        public Builder stopTimeout(Duration value) { stopTimeout = Objects.requireNonNull(value); return this; }
        /** Model names {@code /v0/models} lists and create accepts (default {@code shell}). */
        public Builder models(List<String> value) { models = List.copyOf(value); return this; }
        /**
         * Webhook retries: the wait before the second attempt (doubling after each failure, with
         * jitter, at most 10 min) and the number of attempts (default 1 s and 10).
         */
        public Builder webhookRetries(Duration firstRetry, int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be >= 1");
            }
            webhookFirstRetry = Objects.requireNonNull(firstRetry);
            webhookAttempts = attempts;
            return this;
        }
        /** How often an idle v1 event stream sends a heartbeat (default 15 s). */
        public Builder heartbeat(Duration value) { heartbeat = Objects.requireNonNull(value); return this; }
        /** Repositories {@code /v0/repositories} lists (default none). */
        public Builder repositories(List<String> value) { repositories = List.copyOf(value); return this; }

        /** Starts the server; it listens when this returns. */
        public NightshiftServer start() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
            // a v1 event stream holds a thread while it is open
            QueuedThreadPool threads = new QueuedThreadPool(256, 4);
            threads.setName("nightshift-http");
            threads.setDaemon(true);
            Server jetty = new Server(threads);
            ServerConnector connector = new ServerConnector(jetty);
            connector.setHost(bind);
            connector.setPort(port);
            jetty.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            RateLimiter limiter = new RateLimiter(requestsPerSecond, burst);
            ServerMetrics metrics = new ServerMetrics(engine);
            Webhooks webhooks = new Webhooks(engine, keys.file().getParent(), webhookFirstRetry, webhookAttempts, metrics);
            context.addServlet(new ServletHolder(new V0Api(engine, keys, limiter, maxBodyBytes, models, repositories,
                    webhooks, metrics)), "/v0/*");
            context.addServlet(new ServletHolder(new V1Api(engine, keys, limiter, maxBodyBytes, models, repositories,
                    heartbeat, metrics)), "/v1/*");
            // Prometheus text, unauthenticated like most scrape targets: counts only, nothing secret
            context.addServlet(new ServletHolder(metrics), "/metrics");
            // the key exchange @cursor/sdk performs; its other calls (analytics, privacy mode) get 404
            context.addServlet(new ServletHolder(new AuthApi(keys, limiter, maxBodyBytes)), "/*");
            jetty.setHandler(new GracefulHandler(context));
            jetty.setStopTimeout(stopTimeout.toMillis());
            jetty.setStopAtShutdown(false);
            try {
                webhooks.start();
                jetty.start();
            } catch (Exception e) {
                webhooks.close();
                try {
                    jetty.stop();
                } catch (Exception ignored) {
                    // already failing
                }
                throw new NightshiftException("cannot start the server on " + new InetSocketAddress(bind, port)
                        + ": " + e.getMessage(), e);
            }
            return new NightshiftServer(jetty, connector.getLocalPort(), webhooks);
        }
    }
}
