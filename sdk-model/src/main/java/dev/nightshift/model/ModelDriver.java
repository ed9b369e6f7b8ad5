package dev.nightshift.model;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.ModelPrice;
import dev.nightshift.api.Turn;
import dev.nightshift.api.TurnResult;
import dev.nightshift.api.ValidationException;
import dev.nightshift.model.internal.LoopSettings;
import dev.nightshift.model.internal.SystemPrompt;
import dev.nightshift.model.internal.TurnLoop;
import dev.nightshift.model.internal.WorkspaceTools;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model driver: each turn is a loop of model calls and tool calls (read, edit, run, grep,
 * terminals) acting inside the agent's machine, until the model answers without a tool call; that
 * answer is the turn's summary. See the package documentation for the map of the loop.
 *
 * <p>The model is either given (a langchain4j {@link ChatModel} and/or {@link StreamingChatModel},
 * already configured with keys, proxies and timeouts; set {@code maxRetries(0)} on it: the driver
 * owns retries) or resolved per agent from {@link AgentRequest#model()} by a {@link Models} factory
 * ({@code openai:gpt-4.1}, {@code anthropic:claude-sonnet-4-5},
 * {@code openai-compatible:qwen2.5-coder@http://host:8000/v1}). {@link #validate} runs at spawn: an
 * unknown model or a missing key fails the spawn.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe; one instance serves every agent (each turn
 * keeps its state in its own loop). <b>Lifecycle:</b> registered with the engine's builder and used
 * until the engine closes; it owns no resources (the models' HTTP clients belong to the models).
 *
 * <pre>{@code
 * Nightshift ns = Nightshift.builder()
 *         .driver(ModelDriver.builder().models(Models.fromEnvironment())
 *                 .price("openai:gpt-4.1", new ModelPrice(2.00, 8.00, 0.50, 0)).build())
 *         .build();
 * Agent a = ns.spawn(AgentRequest.builder("Make the failing test pass", repo)
 *         .driver(ModelDriver.NAME).model("openai:gpt-4.1").build());
 * }</pre>
 */
public final class ModelDriver implements AgentDriver {
    /** The default name requests use: {@value}. */
    public static final String NAME = "model";

    private final Builder config;
    private final Map<String, LoopSettings> resolved = new ConcurrentHashMap<>();

    private ModelDriver(Builder b) {
        this.config = b.copy();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this driver's settings. */
    public Builder toBuilder() {
        return config.copy();
    }

    @Override
    public String name() {
        return config.name;
    }

    @Override
    public void validate(AgentRequest request) {
        settingsFor(request.model().orElse(null));
    }

    @Override
    public TurnResult runTurn(Turn turn, AgentContext context) {
        LoopSettings settings = settingsFor(context.request().flatMap(AgentRequest::model).orElse(null));
        WorkspaceTools tools = new WorkspaceTools(context.session(), config.commandTimeout, config.maxCommandTimeout,
                config.maxToolOutputChars);
        return new TurnLoop(settings, context, tools, SystemPrompt.build(context)).run(turn);
    }

    private LoopSettings settingsFor(String requested) {
        if (config.chatModel != null || config.streamingChatModel != null) {
            if (requested != null && !requested.equals(config.modelName)) {
                throw new ValidationException("driver '" + config.name + "' runs model " + config.modelName
                        + " only; the request names " + requested);
            }
            return resolved.computeIfAbsent(config.modelName, n -> settings(n, config.provider, config.chatModel,
                    config.streamingChatModel));
        }
        String name = requested != null ? requested : config.defaultModel;
        if (name == null || name.isBlank()) {
            throw new ValidationException("driver '" + config.name + "' needs a model name: set it on the request"
                    + " (AgentRequest.Builder.model(\"openai:gpt-4.1\"), or --model in the CLI)");
        }
        LoopSettings known = resolved.get(name);
        if (known != null) {
            return known;
        }
        ModelName parsed = config.models.validate(name);
        LoopSettings s = settings(name, parsed.provider().prefix(), config.stream ? null : config.models.chatModel(name),
                config.stream ? config.models.streamingChatModel(name) : null);
        resolved.putIfAbsent(name, s);
        return s;
    }

    private LoopSettings settings(String modelName, String provider, ChatModel chat, StreamingChatModel streaming) {
        String p = provider != null ? provider : providerOf(chat != null ? chat.provider() : streaming.provider());
        return new LoopSettings(modelName, p, chat, streaming, config.prices, config.maxSteps, config.maxTokensPerTurn,
                config.maxTurnTime, config.contextWindow, config.compactAt, config.keepToolResults, config.maxRetries,
                config.baseBackoff, config.maxBackoff, config.streamIdleTimeout, config.commandTimeout,
                config.maxCommandTimeout, config.maxToolOutputChars, 4096, config.maxRepeatedFailures);
    }

    private static String providerOf(dev.langchain4j.model.ModelProvider p) {
        if (p == null) {
            return "the provider";
        }
        return switch (p) {
            case OPEN_AI -> "openai";
            case ANTHROPIC -> "anthropic";
            default -> p.name().toLowerCase(Locale.ROOT).replace('_', '-');
        };
    }

    /**
     * Builds a {@link ModelDriver}. Give either a model ({@link #chatModel} and/or
     * {@link #streamingChatModel}, with {@link #modelName}) or a {@link #models} factory.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> reusable; {@link #build()} copies it.
     */
    public static final class Builder {
        private String name = NAME;
        private ChatModel chatModel;
        private StreamingChatModel streamingChatModel;
        private String modelName;
        private String provider;
        private Models models;
        private String defaultModel;
        private boolean stream = true;
        private Map<String, ModelPrice> prices = new LinkedHashMap<>();
        private int maxSteps = 100;
        private long maxTokensPerTurn;
        private Duration maxTurnTime;
        private long contextWindow = 128_000;
        private double compactAt = 0.8;
        private int keepToolResults = 6;
        private int maxRetries = 6;
        private Duration baseBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(60);
        private Duration streamIdleTimeout = Duration.ofSeconds(120);
        private Duration commandTimeout = Duration.ofMinutes(5);
        private Duration maxCommandTimeout = Duration.ofMinutes(30);
        private int maxToolOutputChars = 30_000;
        private int maxRepeatedFailures = 5;

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.name = name;
            b.chatModel = chatModel;
            b.streamingChatModel = streamingChatModel;
            b.modelName = modelName;
            b.provider = provider;
            b.models = models;
            b.defaultModel = defaultModel;
            b.stream = stream;
            b.prices = new LinkedHashMap<>(prices);
            b.maxSteps = maxSteps;
            b.maxTokensPerTurn = maxTokensPerTurn;
            b.maxTurnTime = maxTurnTime;
            b.contextWindow = contextWindow;
            b.compactAt = compactAt;
            b.keepToolResults = keepToolResults;
            b.maxRetries = maxRetries;
            b.baseBackoff = baseBackoff;
            b.maxBackoff = maxBackoff;
            b.streamIdleTimeout = streamIdleTimeout;
            b.commandTimeout = commandTimeout;
            b.maxCommandTimeout = maxCommandTimeout;
            b.maxToolOutputChars = maxToolOutputChars;
            b.maxRepeatedFailures = maxRepeatedFailures;
            return b;
        }

        /** The driver's name ({@value ModelDriver#NAME} by default). */
        public Builder name(String value) { name = Objects.requireNonNull(value); return this; }
        /** A blocking model (used when no streaming one is given, and for compaction summaries). */
        public Builder chatModel(ChatModel value) { chatModel = value; return this; }
        /** A streaming model: assistant text is streamed as {@code AssistantDelta} events. */
        public Builder streamingChatModel(StreamingChatModel value) { streamingChatModel = value; return this; }
        /** The given model's name, for usage, prices and messages (e.g. {@code openai:gpt-4.1}). */
        public Builder modelName(String value) { modelName = value; return this; }
        /** The given model's provider for messages (default: what the model says it is). */
        public Builder provider(String value) { provider = value; return this; }
        /** Resolves each request's model name (and checks it and its key at spawn). */
        public Builder models(Models value) { models = value; return this; }
        /** The model for requests that name none (with {@link #models}). */
        public Builder defaultModel(String value) { defaultModel = value; return this; }
        /** With {@link #models}: streaming models (default) or blocking ones. */
        public Builder stream(boolean value) { stream = value; return this; }
        /** The price of a model (by its full name, or by the part after the provider prefix). */
        public Builder price(String model, ModelPrice price) { prices.put(model, Objects.requireNonNull(price)); return this; }
        /** Model calls per turn before it ends in error (default 100). */
        public Builder maxSteps(int value) { maxSteps = value; return this; }
        /** Input plus output tokens per turn before it ends in error (default 0: no limit). */
        public Builder maxTokensPerTurn(long value) { maxTokensPerTurn = value; return this; }
        /** Wall-clock time per turn (default none; the engine's turn timeout still applies). */
        public Builder maxTurnTime(Duration value) { maxTurnTime = value; return this; }
        /** The model's context window in tokens (default 128,000; 0 turns compaction off). */
        public Builder contextWindow(long tokens) { contextWindow = tokens; return this; }
        /** The share of the context window at which the conversation is compacted (default 0.8). */
        public Builder compactAt(double share) { compactAt = share; return this; }
        /** Tool results kept whole when older ones are elided (default 6). */
        public Builder keepToolResults(int value) { keepToolResults = value; return this; }
        /** Retries of a 429, 5xx, timeout or refused connection (default 6). */
        public Builder maxRetries(int value) { maxRetries = value; return this; }
        /** Backoff between retries: {@code base} doubling up to {@code max} (a Retry-After is capped at {@code max}). */
        public Builder backoff(Duration base, Duration max) { baseBackoff = base; maxBackoff = max; return this; }
        /** How long a stream may send nothing before the call is abandoned and retried (default 120 s). */
        public Builder streamIdleTimeout(Duration value) { streamIdleTimeout = value; return this; }
        /** {@code run_terminal_cmd}'s default timeout and the most a model may ask for. */
        public Builder commandTimeout(Duration dflt, Duration max) { commandTimeout = dflt; maxCommandTimeout = max; return this; }
        /** Characters of one tool result the model is sent (head and tail kept; default 30,000). */
        public Builder maxToolOutputChars(int value) { maxToolOutputChars = value; return this; }
        /** The same failing call this many times in a row ends the turn (default 5). */
        public Builder maxRepeatedFailures(int value) { maxRepeatedFailures = value; return this; }

        public ModelDriver build() {
            if (chatModel == null && streamingChatModel == null && models == null) {
                throw new IllegalStateException("give a model (chatModel / streamingChatModel) or a Models factory");
            }
            if ((chatModel != null || streamingChatModel != null) && models != null) {
                throw new IllegalStateException("give a model or a Models factory, not both");
            }
            if ((chatModel != null || streamingChatModel != null) && (modelName == null || modelName.isBlank())) {
                throw new IllegalStateException("a given model needs its modelName (for usage, prices and messages)");
            }
            if (maxSteps < 1 || maxRetries < 0 || maxToolOutputChars < 1000 || maxRepeatedFailures < 1
                    || compactAt <= 0 || compactAt > 1 || contextWindow < 0 || keepToolResults < 0) {
                throw new IllegalStateException("maxSteps >= 1, maxRetries >= 0, maxToolOutputChars >= 1000,"
                        + " maxRepeatedFailures >= 1, 0 < compactAt <= 1, contextWindow >= 0, keepToolResults >= 0");
            }
            Objects.requireNonNull(baseBackoff, "baseBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            Objects.requireNonNull(streamIdleTimeout, "streamIdleTimeout");
            return new ModelDriver(this);
        }
    }
}
