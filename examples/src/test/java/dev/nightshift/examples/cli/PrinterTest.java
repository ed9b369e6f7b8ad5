package dev.nightshift.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.runtime.PortMapping;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code nightshift status} shows where a machine's ports answer on the host. */
class PrinterTest {
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
}
