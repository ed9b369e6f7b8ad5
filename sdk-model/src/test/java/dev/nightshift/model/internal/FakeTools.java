package dev.nightshift.model.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.Registration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Tools without a machine, for the loop's tests: {@code read_file} from a map, {@code run} that
 * "fails" with exit code 1, {@code slow} that runs until an interrupt hook stops it. The real tools
 * are tested against a Docker machine (WorkspaceToolsIT).
 */
final class FakeTools implements Tools {
    final Map<String, String> files;
    final CountDownLatch slowStarted = new CountDownLatch(1);

    FakeTools(Map<String, String> files) {
        this.files = files;
    }

    @Override
    public List<ToolSpecification> specifications() {
        return List.of(spec("read_file"), spec("run"), spec("slow"));
    }

    private static ToolSpecification spec(String name) {
        return ToolSpecification.builder().name(name).description(name)
                .parameters(JsonObjectSchema.builder().addStringProperty("path").build()).build();
    }

    @Override
    public ToolOutcome run(String name, JsonNode a, AgentContext context) {
        switch (name) {
            case "read_file": {
                String path = ToolArguments.string(a, "path", true);
                String text = files.get(path);
                if (text == null) {
                    throw new ToolException("no such file: " + path);
                }
                return ToolOutcome.ok(text);
            }
            case "run":
                return new ToolOutcome("tests failed\n[exit code 1]", false, 1);
            case "slow": {
                CountDownLatch stopped = new CountDownLatch(1);
                try (Registration r = context.onInterrupt(stopped::countDown)) {
                    slowStarted.countDown();
                    if (!stopped.await(30, TimeUnit.SECONDS)) {
                        return ToolOutcome.ok("slow finished");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new ToolInterruptedException();
            }
            default:
                throw new ToolException("unknown tool " + name);
        }
    }
}
