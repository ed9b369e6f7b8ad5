package dev.nightshift.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.spec.EgressHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code nightshift egress}: what its options mean, and bad input refused before the state
 * directory is opened (so no engine is needed here; the command on a live agent is in
 * EgressCliIT).
 */
class EgressCommandTest {
    @TempDir
    Path home;

    static EgressPolicy parse(String... args) {
        CommandLine cl = new CommandLine(new NightshiftCli());
        List<String> all = new ArrayList<>(List.of("egress", "bc-1"));
        all.addAll(List.of(args));
        CommandLine.ParseResult r = cl.parseArgs(all.toArray(String[]::new));
        return ((ControlCommands.EgressCmd) r.subcommand().commandSpec().userObject()).policy();
    }

    @Test
    void theOptionsNameAnAllowlist() {
        assertThat(parse("--allow", "registry.npmjs.org", "--allow", "*.example.com,10.0.0.1"))
                .isEqualTo(EgressPolicy.allowOnlyEntries(List.of("registry.npmjs.org", "*.example.com", "10.0.0.1")));
        assertThat(parse("--mode", "network_settings_only")).as("nothing at all").isEqualTo(EgressPolicy.DENY_ALL);
        EgressPolicy withDefaults = parse("--mode", "default_with_network_settings", "--allow", "api.example.com");
        assertThat(withDefaults.hosts()).containsAll(EgressPolicy.DEFAULT_HOSTS).contains(EgressHost.parse("api.example.com"));
        assertThat(withDefaults.allowAll()).isFalse();
    }

    int run(String... args) {
        List<String> all = new ArrayList<>(List.of("--home", home.toString(), "egress", "bc-1"));
        all.addAll(List.of(args));
        return NightshiftCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err), all.toArray(String[]::new));
    }

    final StringWriter err = new StringWriter();

    @Test
    void badInputIsRefusedAndNeverWidens() {
        assertThat(run("--allow", "https://a.example.com")).isEqualTo(NightshiftCli.INVALID);
        assertThat(err.toString()).contains("--allow").contains("https://a.example.com");
        assertThat(run("--allow", "*")).isEqualTo(NightshiftCli.INVALID);
        assertThat(run("--mode", "allow_all")).isEqualTo(NightshiftCli.USAGE);
        assertThat(err.toString()).contains("allow_all cannot be set on an agent");
        assertThat(run("--mode", "sometimes")).isEqualTo(NightshiftCli.USAGE);
        assertThat(run("--mode", "parent_plus_network_settings")).isEqualTo(NightshiftCli.USAGE);
        assertThat(run()).as("nothing said").isEqualTo(NightshiftCli.USAGE);
        assertThat(home.toFile().list()).as("the state directory was never opened").isEmpty();
    }
}
