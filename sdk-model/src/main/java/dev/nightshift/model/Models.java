package dev.nightshift.model;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.nightshift.api.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Turns a model name ({@code openai:gpt-4.1}, {@code anthropic:claude-sonnet-4-5},
 * {@code openai-compatible:qwen2.5-coder@http://host:8000/v1}, see {@link ModelName}) into a
 * langchain4j {@link ChatModel} or {@link StreamingChatModel}, with the key and base URL from
 * the environment (see {@link ModelProvider} for the variables).
 *
 * <p>Every model built here:
 * <ul>
 *   <li>speaks HTTP/1.1 through the JDK client (the HTTP/2 upgrade headers the JDK client sends
 *       over plain {@code http://} break vLLM and LM Studio);</li>
 *   <li>has {@code maxRetries(0)}: the agent loop owns retries and honours {@code Retry-After},
 *       which langchain4j's own retry ignores; an error response's {@code Retry-After} is kept as
 *       a last line of the exception's message (see {@link #retryAfter(Throwable)});</li>
 *   <li>never logs requests or responses (they hold tool outputs);</li>
 *   <li>has a connect timeout and a read timeout (defaults 10 s and 120 s); a stream that stalls
 *       after some chunks is not covered by them: the caller needs its own watchdog.</li>
 * </ul>
 *
 * <p>The provider modules ({@code dev.langchain4j:langchain4j-open-ai},
 * {@code langchain4j-anthropic}, and {@code langchain4j-http-client-jdk}) are optional
 * dependencies of this module: add the ones you use. A missing one, an unknown provider, a
 * malformed name, a malformed base URL or a missing key is a {@link ValidationException} at
 * {@link #validate}, {@link #chatModel} or {@link #streamingChatModel}; no message ever holds a
 * key.
 *
 * <p><b>Thread-safety:</b> immutable and shareable; the models it returns are langchain4j's,
 * which are thread-safe. <b>Lifecycle:</b> holds no resource; each call builds a new model
 * (with its own JDK {@code HttpClient}), so build one per agent or share it, not one per call.
 *
 * <pre>{@code
 * Models models = Models.fromEnvironment();            // reads System.getenv()
 * models.validate("anthropic:claude-sonnet-4-5");      // fails fast: key missing, module missing, ...
 * ChatModel model = models.chatModel("anthropic:claude-sonnet-4-5");
 *
 * Models local = Models.builder()
 *         .environment(Map.of("OPENAI_COMPATIBLE_API_KEY", "sk-local"))
 *         .readTimeout(Duration.ofMinutes(5))
 *         .build();
 * StreamingChatModel qwen = local.streamingChatModel("openai-compatible:qwen2.5-coder@http://127.0.0.1:8000/v1");
 * }</pre>
 */
public final class Models {

    /** Default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default read timeout: the longest wait for the response (or, when streaming, for the next bytes). */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);
    /** Default maximum output tokens for Anthropic, which requires one (langchain4j's own default is 1024). */
    public static final int DEFAULT_ANTHROPIC_MAX_OUTPUT_TOKENS = 8192;

    private static final String LANGCHAIN4J_VERSION = readLangchain4jVersion();

    private final Map<String, String> environment;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Integer maxOutputTokens;
    private final ClassLoader classLoader;

    private Models(Builder b) {
        this.environment = b.environment;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.maxOutputTokens = b.maxOutputTokens;
        this.classLoader = b.classLoader;
    }

    /** A factory reading {@link System#getenv()} with default timeouts. */
    public static Models fromEnvironment() {
        return builder().build();
    }

    /** A builder starting from {@link System#getenv()} and the default timeouts. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this factory's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.environment = environment;
        b.connectTimeout = connectTimeout;
        b.readTimeout = readTimeout;
        b.maxOutputTokens = maxOutputTokens;
        b.classLoader = classLoader;
        return b;
    }

    /**
     * Checks that {@code name} can be built: it parses, its provider module is on the classpath,
     * its base URL is well formed and its key is set when the provider needs one. Sends nothing.
     *
     * @return the parsed name
     * @throws ValidationException saying what is wrong and what to do
     */
    public ModelName validate(String name) {
        return resolve(name).name();
    }

    /** A blocking model for {@code name}. @throws ValidationException as {@link #validate} */
    public ChatModel chatModel(String name) {
        Resolved r = resolve(name);
        return r.name().provider() == ModelProvider.ANTHROPIC ? AnthropicModels.chat(r) : OpenAiModels.chat(r);
    }

    /** A streaming model for {@code name}. @throws ValidationException as {@link #validate} */
    public StreamingChatModel streamingChatModel(String name) {
        Resolved r = resolve(name);
        return r.name().provider() == ModelProvider.ANTHROPIC ? AnthropicModels.streaming(r) : OpenAiModels.streaming(r);
    }

    /**
     * The base URL a model of {@code name} would talk to (normalised, ending in {@code /v1}),
     * for messages and diagnostics.
     */
    public String baseUrl(String name) {
        return resolve(name).baseUrl();
    }

    /**
     * The wait a provider asked for on the error behind {@code error} (a langchain4j
     * {@code RateLimitException} or {@code InternalServerException} from a model built here),
     * from its {@code Retry-After} or {@code retry-after-ms} header. langchain4j keeps no response
     * header, so models built here append one line to the error's body, which is the exception's
     * message: {@code (Retry-After: 7 s)} or {@code (Retry-After: 1500 ms)}; this reads it back.
     *
     * @return the wait, or empty when the response had no such header
     */
    public static Optional<Duration> retryAfter(Throwable error) {
        return RetryAfterClient.read(error);
    }

    private Resolved resolve(String text) {
        ModelName name = ModelName.parse(text);
        ModelProvider provider = name.provider();
        requireModule(name, provider.probeClass(), provider.artifactId());
        requireModule(name, "dev.langchain4j.http.client.jdk.JdkHttpClientBuilder", "langchain4j-http-client-jdk");

        String baseUrl;
        if (name.baseUrl().isPresent()) {
            baseUrl = BaseUrls.check(name.explicitBaseUrl(), "the base URL after '@' in '" + provider.prefix() + ":" + name.model() + "@…'");
        } else {
            Optional<String> fromEnv = env(provider.baseUrlVariable());
            if (fromEnv.isPresent()) {
                baseUrl = BaseUrls.check(fromEnv.get(), provider.baseUrlVariable());
            } else if (provider.defaultBaseUrl().isPresent()) {
                baseUrl = provider.defaultBaseUrl().get();
            } else {
                throw new ValidationException("model '" + name + "' has no base URL: write it after '@' ("
                        + provider.prefix() + ":" + name.model() + "@http://HOST:PORT/v1) or set "
                        + provider.baseUrlVariable());
            }
        }

        Optional<String> key = env(provider.keyVariable());
        if (key.isEmpty() && provider.keyRequired()) {
            throw new ValidationException("model '" + name + "' needs an API key: set " + provider.keyVariable()
                    + " in the environment");
        }
        if (key.isPresent() && key.get().chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new ValidationException(provider.keyVariable() + " holds whitespace or control characters; "
                    + "set it to the key alone");
        }
        Optional<String> organization = provider == ModelProvider.OPENAI ? env("OPENAI_ORG_ID") : Optional.empty();
        Optional<String> project = provider == ModelProvider.OPENAI ? env("OPENAI_PROJECT_ID") : Optional.empty();
        Integer maxTokens = maxOutputTokens != null ? maxOutputTokens
                : provider == ModelProvider.ANTHROPIC ? Integer.valueOf(DEFAULT_ANTHROPIC_MAX_OUTPUT_TOKENS) : null;
        return new Resolved(name, baseUrl, key.orElse(null), organization.orElse(null), project.orElse(null),
                connectTimeout, readTimeout, maxTokens);
    }

    private void requireModule(ModelName name, String probeClass, String artifactId) {
        try {
            Class.forName(probeClass, false, classLoader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ValidationException("model '" + name + "' needs dev.langchain4j:" + artifactId + ":"
                    + LANGCHAIN4J_VERSION + " on the classpath; add it to your build (it is an optional "
                    + "dependency of nightshift-sdk-model)");
        }
    }

    private Optional<String> env(String variable) {
        String v = environment.get(variable);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    private static String readLangchain4jVersion() {
        try (InputStream in = Models.class.getResourceAsStream("nightshift-model.properties")) {
            if (in == null) {
                return "1.19.0";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("langchain4j.version", "1.19.0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything needed to build one model; its {@code toString} hides the key. */
    record Resolved(ModelName name, String baseUrl, String apiKey, String organizationId, String projectId,
            Duration connectTimeout, Duration readTimeout, Integer maxOutputTokens) {
        @Override
        public String toString() {
            return "Resolved[" + name + " at " + baseUrl + ", key " + (apiKey == null ? "absent" : "set") + "]";
        }
    }

    /**
     * Settings of a {@link Models} factory. Not thread-safe; {@link #build()} makes an
     * immutable factory.
     */
    public static final class Builder {
        private Map<String, String> environment = System.getenv();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private Integer maxOutputTokens;
        private ClassLoader classLoader = Models.class.getClassLoader();

        private Builder() {
        }

        /** The variables to read keys and base URLs from instead of {@link System#getenv()}. */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
            return this;
        }

        /** How long to wait for a connection. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long to wait for the response, or when streaming for the next bytes. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /**
         * The most tokens one answer may hold (OpenAI: {@code max_completion_tokens}; other
         * OpenAI-compatible servers: {@code max_tokens}; Anthropic: {@code max_tokens}, default
         * {@value #DEFAULT_ANTHROPIC_MAX_OUTPUT_TOKENS}).
         */
        public Builder maxOutputTokens(int tokens) {
            if (tokens < 1) {
                throw new IllegalArgumentException("maxOutputTokens must be >= 1");
            }
            this.maxOutputTokens = tokens;
            return this;
        }

        /** For tests: where provider modules are looked up. */
        Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /** The factory. */
        public Models build() {
            return new Models(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
