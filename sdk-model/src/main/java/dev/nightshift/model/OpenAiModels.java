package dev.nightshift.model;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

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
        if (r.apiKey() != null) {
            b.apiKey(r.apiKey());
        }
        if (r.organizationId() != null) {
            b.organizationId(r.organizationId());
        }
        if (r.projectId() != null) {
            b.projectId(r.projectId());
        }
        if (r.maxOutputTokens() != null) {
            if (r.name().provider() == ModelProvider.OPENAI) {
                b.maxCompletionTokens(r.maxOutputTokens());
            } else {
                b.maxTokens(r.maxOutputTokens());
            }
        }
        return b.build();
    }

    static StreamingChatModel streaming(Models.Resolved r) {
        OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder b = OpenAiStreamingChatModel.builder()
                .httpClientBuilder(JdkClients.http11(r))
                .baseUrl(r.baseUrl())
                .modelName(r.name().model())
                .logRequests(false)
                .logResponses(false);
        if (r.apiKey() != null) {
            b.apiKey(r.apiKey());
        }
        if (r.organizationId() != null) {
            b.organizationId(r.organizationId());
        }
        if (r.projectId() != null) {
            b.projectId(r.projectId());
        }
        if (r.maxOutputTokens() != null) {
            if (r.name().provider() == ModelProvider.OPENAI) {
                b.maxCompletionTokens(r.maxOutputTokens());
            } else {
                b.maxTokens(r.maxOutputTokens());
            }
        }
        return b.build();
    }
}
