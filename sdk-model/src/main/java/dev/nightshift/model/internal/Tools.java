package dev.nightshift.model.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.nightshift.api.AgentContext;
import java.util.List;

/** The tools a turn offers the model: their specifications and how to run one call. */
public interface Tools {

    /** What the model is told about each tool. */
    List<ToolSpecification> specifications();

    /**
     * Runs one call with parsed arguments; a {@link ToolException} is a tool error the model sees.
     * A tool that runs a command registers its cancellation with {@link AgentContext#onInterrupt}.
     */
    ToolOutcome run(String name, JsonNode arguments, AgentContext context);
}
