package dev.nightshift.model;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.util.function.Consumer;

/**
 * Builds OpenAI and OpenAI-compatible models; only loaded once {@link Models} has seen
 * {@code langchain4j-open-ai} on the classpath.
 */
final class OpenAiModels {
    private OpenAiModels() {
    }

    static ChatModel chat(Models.Resolved r) {
        OpenAiChatModel.OpenAiChatModelBuilder b = OpenAiChatModel.builder()
                .httpClientBuilder(JdkClients.http11(r))
                .baseUrl(r.baseUrl())
                .modelName(r.name().model())
                .maxRetries(0)
                .logRequests(false)
                .logResponses(false);
        optional(r, b::apiKey, b::organizationId, b::projectId, b::maxCompletionTokens, b::maxTokens);
        return b.build();
    }

    static StreamingChatModel streaming(Models.Resolved r) {
        OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder b = OpenAiStreamingChatModel.builder()
                .httpClientBuilder(JdkClients.http11(r))
                .baseUrl(r.baseUrl())
                .modelName(r.name().model())
                .logRequests(false)
                .logResponses(false);
        optional(r, b::apiKey, b::organizationId, b::projectId, b::maxCompletionTokens, b::maxTokens);
        return b.build();
    }

    /**
     * The settings that are set only when given, through the setters of either builder: the key,
     * organisation and project, and the output limit (OpenAI's own API calls it
     * {@code max_completion_tokens}; compatible servers know {@code max_tokens}).
     */
    private static void optional(Models.Resolved r, Consumer<String> apiKey, Consumer<String> organizationId,
            Consumer<String> projectId, Consumer<Integer> maxCompletionTokens, Consumer<Integer> maxTokens) {
        if (r.apiKey() != null) {
            apiKey.accept(r.apiKey());
        }
        if (r.organizationId() != null) {
            organizationId.accept(r.organizationId());
        }
        if (r.projectId() != null) {
            projectId.accept(r.projectId());
        }
        if (r.maxOutputTokens() != null) {
            (r.name().provider() == ModelProvider.OPENAI ? maxCompletionTokens : maxTokens).accept(r.maxOutputTokens());
        }
    }
}
