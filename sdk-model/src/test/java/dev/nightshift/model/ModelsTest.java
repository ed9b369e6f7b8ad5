package dev.nightshift.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.nightshift.api.ValidationException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelsTest {

    private static final String OPENAI_KEY = "sk-proj-SECRET0penAiKey1234567890";
    private static final String ANTHROPIC_KEY = "sk-ant-api03-SECRETanthropicKey0987";
    private static final String COMPAT_KEY = "sk-local-SECRETcompat42";
    private static final Map<String, String> ENV = Map.of(
            "OPENAI_API_KEY", OPENAI_KEY,
            "ANTHROPIC_API_KEY", ANTHROPIC_KEY,
            "OPENAI_COMPATIBLE_API_KEY", COMPAT_KEY);

    private final Models models = Models.builder().environment(ENV).build();

    @Test
    void parsesTheThreeForms() {
        assertThat(ModelName.parse("openai:gpt-4.1")).isEqualTo(new ModelName(ModelProvider.OPENAI, "gpt-4.1", null));
        assertThat(ModelName.parse("anthropic:claude-sonnet-4-5"))
                .isEqualTo(new ModelName(ModelProvider.ANTHROPIC, "claude-sonnet-4-5", null));
        ModelName compat = ModelName.parse("openai-compatible:qwen2.5-coder@http://host:8000/v1");
        assertThat(compat.provider()).isEqualTo(ModelProvider.OPENAI_COMPATIBLE);
        assertThat(compat.model()).isEqualTo("qwen2.5-coder");
        assertThat(compat.baseUrl()).contains("http://host:8000/v1");
        assertThat(compat).hasToString("openai-compatible:qwen2.5-coder@http://host:8000/v1");
    }

    @Test
    void anAtThatDoesNotStartAUrlStaysInTheModel() {
        ModelName name = ModelName.parse("anthropic:claude-3-5-sonnet@20240620");
        assertThat(name.model()).isEqualTo("claude-3-5-sonnet@20240620");
        assertThat(name.baseUrl()).isEmpty();
        ModelName withUrl = ModelName.parse("openai-compatible:org/model:q4@v2@https://openrouter.ai/api/v1");
        assertThat(withUrl.model()).isEqualTo("org/model:q4@v2");
        assertThat(withUrl.baseUrl()).contains("https://openrouter.ai/api/v1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-4.1", ":gpt-4.1", "openai:", "openai:gpt 4.1", "openai:@http://h:1/v1", "  "})
    void malformedNamesAreClearErrors(String name) {
        assertThatThrownBy(() -> models.validate(name))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("expected PROVIDER:MODEL");
    }

    @Test
    void anUnknownProviderListsTheKnownOnes() {
        assertThatThrownBy(() -> models.chatModel("gemini:gemini-2.5-pro"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("unknown model provider 'gemini' in model name 'gemini:gemini-2.5-pro'; "
                        + "known providers: openai, anthropic, openai-compatible");
    }

    @Test
    void aMissingKeyNamesTheVariable() {
        Models empty = Models.builder().environment(Map.of("OPENAI_API_KEY", "  ")).build();
        assertThatThrownBy(() -> empty.validate("openai:gpt-4.1"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("model 'openai:gpt-4.1' needs an API key: set OPENAI_API_KEY in the environment");
        assertThatThrownBy(() -> empty.streamingChatModel("anthropic:claude-sonnet-4-5"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("set ANTHROPIC_API_KEY");
        // A local OpenAI-compatible server needs no key (control).
        assertThat(empty.chatModel("openai-compatible:qwen2.5-coder@http://127.0.0.1:8000/v1"))
                .isInstanceOf(OpenAiChatModel.class);
    }

    @Test
    void aCompatibleModelWithoutBaseUrlSaysWhereToPutIt() {
        assertThatThrownBy(() -> models.validate("openai-compatible:qwen2.5-coder"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("@http://HOST:PORT/v1")
                .hasMessageContaining("OPENAI_COMPATIBLE_BASE_URL");
        Models withEnv = Models.builder()
                .environment(Map.of("OPENAI_COMPATIBLE_BASE_URL", "http://127.0.0.1:11434/v1/")).build();
        assertThat(withEnv.baseUrl("openai-compatible:qwen2.5-coder")).isEqualTo("http://127.0.0.1:11434/v1");
    }

    @Test
    void baseUrlsComeFromTheNameThenTheEnvironmentThenTheDefault() {
        Models env = Models.builder().environment(Map.of(
                "OPENAI_API_KEY", OPENAI_KEY, "ANTHROPIC_API_KEY", ANTHROPIC_KEY,
                "OPENAI_BASE_URL", "https://proxy.example/openai/v1",
                "ANTHROPIC_BASE_URL", "https://proxy.example")).build();
        assertThat(models.baseUrl("openai:gpt-4.1")).isEqualTo("https://api.openai.com/v1");
        assertThat(models.baseUrl("anthropic:claude-sonnet-4-5")).isEqualTo("https://api.anthropic.com/v1");
        assertThat(env.baseUrl("openai:gpt-4.1")).isEqualTo("https://proxy.example/openai/v1");
        // Anthropic's SDKs take ANTHROPIC_BASE_URL without /v1: a bare host gets it appended.
        assertThat(env.baseUrl("anthropic:claude-sonnet-4-5")).isEqualTo("https://proxy.example/v1");
        assertThat(env.baseUrl("openai:gpt-4.1@http://127.0.0.1:9/v1")).isEqualTo("http://127.0.0.1:9/v1");
    }

    @Test
    void buildsEachProvidersModels() {
        assertThat(models.chatModel("openai:gpt-4.1")).isInstanceOf(OpenAiChatModel.class);
        assertThat(models.streamingChatModel("openai:gpt-4.1")).isInstanceOf(OpenAiStreamingChatModel.class);
        assertThat(models.chatModel("anthropic:claude-sonnet-4-5")).isInstanceOf(AnthropicChatModel.class);
        assertThat(models.streamingChatModel("anthropic:claude-sonnet-4-5")).isInstanceOf(AnthropicStreamingChatModel.class);
        assertThat(models.streamingChatModel("openai-compatible:llama@http://127.0.0.1:8080/v1"))
                .isInstanceOf(OpenAiStreamingChatModel.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "openai-compatible:m@http://user:" + COMPAT_KEY + "@127.0.0.1:8000/v1",
            "openai-compatible:m@http://127.0.0.1:8000/v1?key=" + COMPAT_KEY,
            "openai-compatible:m@http://127.0.0.1:8000/v1#" + COMPAT_KEY,
            "openai-compatible:m@http:///" + COMPAT_KEY})
    void aBaseUrlCarryingAKeyIsRefusedWithoutEchoingIt(String name) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> models.validate(name));
        assertThat(e).as("%s must be refused", name).isNotNull();
        assertThat(e.getMessage()).doesNotContain(COMPAT_KEY).doesNotContain("SECRET");
    }

    @Test
    void aBadBaseUrlVariableIsNamedButNotEchoed() {
        Models bad = Models.builder().environment(Map.of("OPENAI_API_KEY", OPENAI_KEY,
                "OPENAI_BASE_URL", "ftp://proxy/" + OPENAI_KEY)).build();
        assertThatThrownBy(() -> bad.validate("openai:gpt-4.1"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("OPENAI_BASE_URL must start with http:// or https://");
    }

    @Test
    void aKeyWithWhitespaceInsideIsRefusedWithoutEchoingIt() {
        String key = "sk-SECRET abc\ninjected: header";
        Models bad = Models.builder().environment(Map.of("ANTHROPIC_API_KEY", key)).build();
        assertThatThrownBy(() -> bad.validate("anthropic:claude-sonnet-4-5"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("ANTHROPIC_API_KEY holds whitespace or control characters; set it to the key alone");
    }

    @Test
    void noErrorMessageHoldsAKey() {
        for (String name : new String[] {"nope:" + OPENAI_KEY, "openai:" + OPENAI_KEY + " x", "x"}) {
            ValidationException e = catchThrowableOfType(ValidationException.class, () -> models.validate(name));
            assertThat(e).isNotNull();
            // The name itself is echoed (the caller wrote it); the keys in the environment never are.
            assertThat(e.getMessage()).doesNotContain(ANTHROPIC_KEY).doesNotContain(COMPAT_KEY);
        }
    }

    @Test
    void aMissingProviderModuleNamesTheArtifact() {
        ClassLoader hiding = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("dev.langchain4j.model.anthropic.")) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }
        };
        Models withoutAnthropic = models.toBuilder().classLoader(hiding).build();
        assertThatThrownBy(() -> withoutAnthropic.chatModel("anthropic:claude-sonnet-4-5"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("model 'anthropic:claude-sonnet-4-5' needs dev.langchain4j:langchain4j-anthropic:1.19.0 "
                        + "on the classpath; add it to your build (it is an optional dependency of nightshift-sdk-model)");
        // The same loader still finds the OpenAI module (control: the check looks at the right class).
        assertThat(withoutAnthropic.validate("openai:gpt-4.1").provider()).isEqualTo(ModelProvider.OPENAI);
    }

    @Test
    void timeoutsMustBePositive() {
        assertThatThrownBy(() -> Models.builder().readTimeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Models.builder().maxOutputTokens(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
