package dev.nightshift.model.testing;

/** The two wire formats {@link ScriptedModelServer} speaks, chosen by the request path. */
public enum WireFormat {
    /** OpenAI chat completions: {@code POST /v1/chat/completions}. */
    OPENAI("/v1/chat/completions"),
    /** Anthropic messages: {@code POST /v1/messages}. */
    ANTHROPIC("/v1/messages");

    private final String path;

    WireFormat(String path) {
        this.path = path;
    }

    /** The request path this format is served on. */
    public String path() {
        return path;
    }
}
