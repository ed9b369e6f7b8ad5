package dev.nightshift.store.postgres;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.spec.EgressMode;

/**
 * The JSON of the json columns, the same shape as the file store's files: sdk-api's records
 * mapped by Jackson with mix-ins (sdk-api carries no Jackson annotations), statuses as plain
 * strings, events with a {@code type} discriminator, times as ISO-8601 strings. Unknown
 * properties are ignored so a newer writer does not break an older reader.
 *
 * <p><b>Thread-safety:</b> the mapper is immutable once built and shared.
 */
final class StoreJson {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addMixIn(AgentStatus.class, StatusMixin.class)
            .addMixIn(EgressMode.class, EgressMixin.class)
            .addMixIn(AgentEvent.class, EventMixin.class)
            .addMixIn(AgentRequest.class, RequestMixin.class);

    private StoreJson() {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new NightshiftException("cannot serialise " + value.getClass().getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    static <T> T read(String json, Class<T> type, String what) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new NightshiftException("cannot read " + what + " from the store: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A request's secrets are never written nor read: the engine stores requests without them, and
     * this keeps the stored shape what it was before requests had secrets (no {@code secrets} key).
     */
    @JsonIgnoreProperties({"secrets"})
    abstract static class RequestMixin {
    }

    abstract static class StatusMixin {
        @JsonCreator
        static AgentStatus of(String name) {
            return AgentStatus.of(name);
        }

        @JsonValue
        abstract String name();
    }

    abstract static class EgressMixin {
        @JsonCreator
        static EgressMode of(String value) {
            return EgressMode.of(value);
        }

        @JsonValue
        abstract String value();
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = AgentEvent.StatusChanged.class, name = "status"),
        @JsonSubTypes.Type(value = AgentEvent.BuildOutput.class, name = "build-output"),
        @JsonSubTypes.Type(value = AgentEvent.CommandStarted.class, name = "command-started"),
        @JsonSubTypes.Type(value = AgentEvent.CommandOutput.class, name = "command-output"),
        @JsonSubTypes.Type(value = AgentEvent.CommandFinished.class, name = "command-finished"),
        @JsonSubTypes.Type(value = AgentEvent.MessageAdded.class, name = "message"),
        @JsonSubTypes.Type(value = AgentEvent.Warning.class, name = "warning"),
        @JsonSubTypes.Type(value = AgentEvent.UsageReported.class, name = "usage"),
        @JsonSubTypes.Type(value = AgentEvent.HandedOff.class, name = "handoff"),
        @JsonSubTypes.Type(value = AgentEvent.TakeOverChanged.class, name = "take-over"),
        @JsonSubTypes.Type(value = AgentEvent.MachineChanged.class, name = "machine"),
        @JsonSubTypes.Type(value = AgentEvent.AssistantDelta.class, name = "assistant-delta"),
        @JsonSubTypes.Type(value = AgentEvent.ToolCallStarted.class, name = "tool-call-started"),
        @JsonSubTypes.Type(value = AgentEvent.ToolCallFinished.class, name = "tool-call-finished"),
        @JsonSubTypes.Type(value = AgentEvent.TodosUpdated.class, name = "todos"),
        @JsonSubTypes.Type(value = AgentEvent.ModelUsageReported.class, name = "model-usage"),
    })
    interface EventMixin {
    }
}
