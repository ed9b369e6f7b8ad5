package dev.nightshift.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The model providers {@link Models} can build a client for, by the prefix of a model name.
 *
 * <table>
 *   <caption>Providers</caption>
 *   <tr><th>prefix</th><th>artifact</th><th>key</th><th>base URL</th></tr>
 *   <tr><td>{@code openai}</td><td>{@code langchain4j-open-ai}</td>
 *       <td>{@code OPENAI_API_KEY} (required)</td><td>{@code OPENAI_BASE_URL}, default
 *       {@code https://api.openai.com/v1}</td></tr>
 *   <tr><td>{@code anthropic}</td><td>{@code langchain4j-anthropic}</td>
 *       <td>{@code ANTHROPIC_API_KEY} (required)</td><td>{@code ANTHROPIC_BASE_URL}, default
 *       {@code https://api.anthropic.com/v1}</td></tr>
 *   <tr><td>{@code openai-compatible}</td><td>{@code langchain4j-open-ai}</td>
 *       <td>{@code OPENAI_COMPATIBLE_API_KEY} (optional)</td><td>{@code @URL} in the name, else
 *       {@code OPENAI_COMPATIBLE_BASE_URL} (required)</td></tr>
 * </table>
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a constant.
 */
public enum ModelProvider {
    /** OpenAI's chat-completions API. */
    OPENAI("openai", "langchain4j-open-ai", "dev.langchain4j.model.openai.OpenAiChatModel",
            "OPENAI_API_KEY", true, "OPENAI_BASE_URL", "https://api.openai.com/v1"),
    /** Anthropic's messages API. */
    ANTHROPIC("anthropic", "langchain4j-anthropic", "dev.langchain4j.model.anthropic.AnthropicChatModel",
            "ANTHROPIC_API_KEY", true, "ANTHROPIC_BASE_URL", "https://api.anthropic.com/v1"),
    /**
     * Any server speaking OpenAI's chat-completions API: vLLM, llama.cpp's server, Ollama's
     * {@code /v1}, LiteLLM, OpenRouter. Its key is separate from {@code OPENAI_API_KEY} so an
     * OpenAI key is never sent to another host.
     */
    OPENAI_COMPATIBLE("openai-compatible", "langchain4j-open-ai", "dev.langchain4j.model.openai.OpenAiChatModel",
            "OPENAI_COMPATIBLE_API_KEY", false, "OPENAI_COMPATIBLE_BASE_URL", null);

    private final String prefix;
    private final String artifactId;
    private final String probeClass;
    private final String keyVariable;
    private final boolean keyRequired;
    private final String baseUrlVariable;
    private final String defaultBaseUrl;

    ModelProvider(String prefix, String artifactId, String probeClass, String keyVariable, boolean keyRequired,
            String baseUrlVariable, String defaultBaseUrl) {
        this.prefix = prefix;
        this.artifactId = artifactId;
        this.probeClass = probeClass;
        this.keyVariable = keyVariable;
        this.keyRequired = keyRequired;
        this.baseUrlVariable = baseUrlVariable;
        this.defaultBaseUrl = defaultBaseUrl;
    }

    /** The prefix in a model name, such as {@code openai} in {@code openai:gpt-4.1}. */
    public String prefix() {
        return prefix;
    }

    /** The langchain4j artifact (group {@code dev.langchain4j}) that must be on the classpath. */
    public String artifactId() {
        return artifactId;
    }

    /** The environment variable holding the API key. */
    public String keyVariable() {
        return keyVariable;
    }

    /** Whether a model of this provider cannot be built without a key. */
    public boolean keyRequired() {
        return keyRequired;
    }

    /** The environment variable holding the base URL (ending in {@code /v1}). */
    public String baseUrlVariable() {
        return baseUrlVariable;
    }

    /** The base URL used when neither the name nor the environment gives one. */
    public Optional<String> defaultBaseUrl() {
        return Optional.ofNullable(defaultBaseUrl);
    }

    String probeClass() {
        return probeClass;
    }

    /** The provider with this prefix (exact, lower case). */
    public static Optional<ModelProvider> byPrefix(String prefix) {
        return Arrays.stream(values()).filter(p -> p.prefix.equals(prefix)).findFirst();
    }

    /** Every prefix, for messages: {@code openai, anthropic, openai-compatible}. */
    public static String prefixes() {
        return Arrays.stream(values()).map(ModelProvider::prefix).collect(Collectors.joining(", "));
    }

    static List<ModelProvider> all() {
        return List.of(values());
    }
}
