package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code nightshift egress} on a real agent: its repository allows nothing
 * ({@code egressMode: network_settings_only}, no list), so its first turn is refused a test-made
 * HTTP server (perl on the base image, on Docker's default bridge, named by its address); after
 * {@code egress --allow ADDRESS} from another process the follow-up, on the machine restored from
 * the hibernation the first process left it in, reaches it. No address outside this machine is a
 * target.
 */
class EgressCliIT extends CliProcessTest {
    /** An HTTP GET through $http_proxy with bash alone (the base image has no curl): prints the status code. */
    static final String FETCH = "fetch() { local p=${http_proxy#http://}; exec 3<>/dev/tcp/${p%:*}/${p##*:} || return 9;"
            + " printf 'GET http://%s/ HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' \"$1\" \"$1\" >&3;"
            + " local line; read -r line <&3; exec 3<&-; echo \"$line\" | cut -d' ' -f2; }; ";
    static final String SERVER = "use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 80, Listen => 64,"
            + " ReuseAddr => 1) or die \"$!\"; while (my $c = $s->accept) { my $l = <$c>; while (my $h = <$c>)"
            + " { last if $h =~ /^\\r?\\n$/ } my $b = \"hello\\n\"; print $c \"HTTP/1.1 200 OK\\r\\n"
            + "Content-Length: \" . length($b) . \"\\r\\nConnection: close\\r\\n\\r\\n$b\"; close $c }";

    String server;

    /** Runs before {@link CliProcessTest}'s clean-up (JUnit runs a subclass's {@code @AfterEach} first). */
    @AfterEach
    void removeTheServer() throws Exception {
        if (server != null) {
            Processes.run(dir, Map.of(), null, 1, List.of("docker", "rm", "-f", server));
        }
    }

    @Test
    void egressAllowsAHostOnAnAgentAndItsRestoredMachineKeepsIt() throws Exception {
        Docker.require();
        Processes.Result started = Processes.run(dir, Map.of(), null, 1, List.of("docker", "run", "-d", "--rm",
                "--name", "nightshift-test-egress-cli-" + UUID.randomUUID().toString().substring(0, 8),
                "--entrypoint", "perl", "nightshift/base:bookworm", "-e", SERVER));
        assertThat(started.exitCode()).as("%s", started).isZero();
        server = started.stdout().strip();
        String address = Processes.run(dir, Map.of(), null, 1, List.of("docker", "inspect", "-f",
                "{{.NetworkSettings.IPAddress}}", server)).stdout().strip();
        assertThat(address).matches("[0-9.]+");

        String remote = SampleRepository.create(dir.resolve("repo"), Map.of("README.md", "egress\n",
                ".cursor/environment.json", "{\"egressMode\": \"network_settings_only\"}\n"));
        String id = "bc-egress-" + UUID.randomUUID();
        assertThat(ok("spawn", "--repo", remote, "--id", id, "-p", FETCH + "echo first=$(fetch " + address + ")")
                .stdout()).contains("first=403");

        assertThat(ok("egress", id, "--allow", address).stdout())
                .contains("network policy of " + id + ": only " + address);

        // the spawn's process hibernated the machine as it ended: the follow-up restores it
        Processes.Result second = ok("followup", id, "-p", FETCH + "echo second=$(fetch " + address + ")");
        assertThat(second.stdout()).contains("second=200");
        assertThat(ok("logs", id).stdout()).contains("[egress-changed] network policy of this agent's machines set to: allow"
                + " only " + address).contains("machine restored");
        ok("delete", id);
    }
}
