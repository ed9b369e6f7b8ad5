package dev.nightshift.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.ModelPrice;
import dev.nightshift.api.Usage;
import dev.nightshift.api.runtime.PortMapping;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Status, tool-call lines, tokens and cost, prices, and ports as the CLI prints them. */
class PrinterTest {

    private static AgentEvent.ToolCallFinished finished(String name, String args, boolean error, String result,
            Integer exit) {
        return new AgentEvent.ToolCallFinished("bc-1", 1, Instant.EPOCH, "call_1", name, args, error, result,
                Optional.ofNullable(exit), 12);
    }

    @Test
    void toolCallsAreOneCompactLine() {
        assertThat(Printer.toolLine(finished("read_file", "{\"path\":\"src/app.ts\"}", false, "...", null)))
                .isEqualTo("read_file src/app.ts");
        assertThat(Printer.toolLine(finished("read_file", "{\"path\":\"a.ts\",\"offset\":10,\"limit\":5}", false, "", null)))
                .isEqualTo("read_file a.ts:10-14");
        assertThat(Printer.toolLine(finished("run_terminal_cmd", "{\"command\":\"npm test\"}", false, "", 1)))
                .isEqualTo("$ npm test → exit 1");
        assertThat(Printer.toolLine(finished("run_terminal_cmd", "{\"command\":\"npm run dev\",\"background\":true}",
                false, "", null))).isEqualTo("$ npm run dev &");
        assertThat(Printer.toolLine(finished("edit_file", "{\"path\":\"a.ts\",\"old_string\":\"x\",\"new_string\":\"y\"}",
                true, "old_string matches 2 places:\n 3: x\n 9: x", null)))
                .isEqualTo("edit_file a.ts → error: old_string matches 2 places: …");
        assertThat(Printer.toolLine(finished("grep", "{\"pattern\":\"TODO\",\"path\":\"src\"}", false, "", null)))
                .isEqualTo("grep TODO in src");
        assertThat(Printer.toolLine(finished("read_file", "{\"path\": ", true, "malformed arguments", null)))
                .isEqualTo("read_file {\"path\":  (malformed arguments) → error: malformed arguments");
    }

    @Test
    void tokensShowCacheAndCostOrSayTheCostIsUnknown() {
        assertThat(Printer.tokens(Usage.NONE)).isNull();
        assertThat(Printer.tokens(new Usage(Map.of(), 6000, 250, 1000, 0, 0.0125)))
                .isEqualTo("6000 in (1000 cache read, 0 cache write) / 250 out, $0.0125");
        assertThat(Printer.tokens(new Usage(Map.of(), 10, 5, 0, 0, 0)))
                .isEqualTo("10 in / 5 out, cost unknown (no price for the model)");
    }

    @Test
    void pricesParseAndBadOnesAreClear() {
        assertThat(ModelPrices.parse("openai:gpt-4.1=2,8,0.5; anthropic:claude-sonnet-4-5=3,15,0.3,3.75"))
                .containsEntry("openai:gpt-4.1", new ModelPrice(2, 8, 0.5, 0))
                .containsEntry("anthropic:claude-sonnet-4-5", new ModelPrice(3, 15, 0.3, 3.75));
        assertThat(ModelPrices.parse(null)).isEmpty();
        assertThat(ModelPrices.parse("openai-compatible:m@http://127.0.0.1:8000/v1=1,2"))
                .containsKey("openai-compatible:m@http://127.0.0.1:8000/v1");
        assertThatThrownBy(() -> ModelPrices.parse("openai:gpt-4.1=2"))
                .hasMessageContaining("expected 2 to 4 prices");
        assertThatThrownBy(() -> ModelPrices.parse("openai:gpt-4.1=2,-1"))
                .hasMessageContaining("finite and >= 0");
        assertThatThrownBy(() -> ModelPrices.parse("gpt")).hasMessageContaining("expected MODEL=INPUT,OUTPUT");
    }

    static final AgentInfo INFO = AgentInfo.creating("bc-1", AgentRequest.builder("true", "file:///r.git").build(),
            Instant.parse("2026-12-03T00:00:00Z"));
    static final List<PortMapping> PORTS = List.of(new PortMapping(3000, "127.0.0.1", 49155),
            new PortMapping(8000, "127.0.0.1", 49156));

    static String print(boolean json, List<PortMapping> ports) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Printer(new PrintStream(bytes, true, StandardCharsets.UTF_8), json).agent(INFO, ports);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void statusListsThePublishedPorts() {
        assertThat(print(false, PORTS)).contains("3000 -> http://127.0.0.1:49155, 8000 -> http://127.0.0.1:49156");
        assertThat(print(false, List.of())).as("no ports, no row").doesNotContain("ports");
    }

    @Test
    void jsonStatusCarriesThePorts() throws Exception {
        JsonNode n = Printer.JSON.readTree(print(true, PORTS));
        assertThat(n.get("ports")).hasSize(2);
        assertThat(n.get("ports").get(0).get("machinePort").asInt()).isEqualTo(3000);
        assertThat(n.get("ports").get(0).get("hostAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(n.get("ports").get(0).get("hostPort").asInt()).isEqualTo(49155);
        assertThat(Printer.JSON.readTree(print(true, List.of())).get("ports")).isEmpty();
    }

    @Test
    void storedEntriesAreATableOrOneJsonObjectEachOrSayThereAreNone() {
        List<String[]> rows = List.<String[]>of(new String[] {"API_KEY", "env"}, new String[] {"NPM_TOKEN", "file"});
        java.util.function.Function<String[], Map<String, Object>> object = r -> Map.of("name", r[0]);
        java.util.function.Function<String[], Object[]> cells = r -> new Object[] {r[0], r[1], "v3"};
        assertThat(printed(false, p -> p.entries(rows, object, "(none)", "%-10s %-5s %s", cells, "NAME", "KIND", "VERSION")))
                .isEqualTo("NAME       KIND  VERSION\nAPI_KEY    env   v3\nNPM_TOKEN  file  v3\n");
        assertThat(printed(false, p -> p.entries(List.<String[]>of(), object, "(none)", "%s %s %s", cells, "A", "B", "C")))
                .isEqualTo("(none)\n");
        assertThat(printed(true, p -> p.entries(rows, object, "(none)", "%s %s %s", cells, "A", "B", "C")))
                .isEqualTo("{\"name\":\"API_KEY\"}\n{\"name\":\"NPM_TOKEN\"}\n");
        assertThat(printed(true, p -> p.entries(List.<String[]>of(), object, "(none)", "%s %s %s", cells, "A", "B", "C")))
                .as("nothing for a script to read").isEmpty();
    }

    private static String printed(boolean json, java.util.function.Consumer<Printer> body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        body.accept(new Printer(new PrintStream(bytes, true, StandardCharsets.UTF_8), json));
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
