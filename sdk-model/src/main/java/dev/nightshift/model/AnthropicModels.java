package dev.nightshift.model;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;

/** Builds Anthropic models; only loaded once {@link Models} has seen {@code langchain4j-anthropic}. */
final class AnthropicModels {
    private AnthropicModels() {
    }

    static ChatModel chat(Models.Resolved r) {
        return AnthropicChatModel.builder()
                .httpClientBuilder(JdkClients.http11(r))
                .baseUrl(r.baseUrl())
                .apiKey(r.apiKey())
                .modelName(r.name().model())
                .maxTokens(r.maxOutputTokens())
                .maxRetries(0)
                .logRequests(false)
                .logResponses(false)
                .build();
    }

    static StreamingChatModel streaming(Models.Resolved r) {
        return AnthropicStreamingChatModel.builder()
                .httpClientBuilder(JdkClients.http11(r))
                .baseUrl(r.baseUrl())
                .apiKey(r.apiKey())
                .modelName(r.name().model())
                .maxTokens(r.maxOutputTokens())
                .logRequests(false)
                .logResponses(false)
                .build();
    }
}
