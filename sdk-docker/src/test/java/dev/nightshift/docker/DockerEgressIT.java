package dev.nightshift.docker;

import static dev.nightshift.docker.DockerTests.runLabels;
import static dev.nightshift.docker.DockerTests.runtime;
import static dev.nightshift.docker.DockerTests.track;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import dev.nightshift.api.runtime.EgressBlock;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.spec.EgressHost;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Egress enforcement on the real engine, against hosts this test makes: an HTTP server (perl, on
 * the base image) on a network of its own stands in for the internet under the names
 * {@code allowed.test}, {@code blocked.test} and {@code later.test}; the runtime's egress proxies
 * reach out through that network. No address outside this machine is a target.
 */
class DockerEgressIT {
    static final String SERVER = "use IO::Socket::INET; $| = 1; my $s = IO::Socket::INET->new(LocalPort => $ARGV[0],"
            + " Listen => 64, ReuseAddr => 1) or die \"$!\"; while (my $c = $s->accept) { my $l = <$c>;"
            + " while (my $h = <$c>) { last if $h =~ /^\\r?\\n$/ } my $b = \"hello from the internet\\n\";"
            + " print $c \"HTTP/1.1 200 OK\\r\\nContent-Length: \" . length($b) . \"\\r\\nConnection: close\\r\\n\\r\\n$b\";"
            + " close $c }";
    static final String ID = UUID.randomUUID().toString().substring(0, 8);
    static final String INTERNET = "nightshift-test-internet-" + ID;
    static DockerRuntime runtime;
    static DockerClient docker;
    static String server;
    static String serverIp;
    static Machine restricted;
    static Machine other;

    static Map<String, String> labels() {
        Map<String, String> l = new LinkedHashMap<>(runLabels());
        l.put(DockerRuntime.LABEL_AGENT, "egress-" + ID);
        return l;
    }

    @BeforeAll
    static void up() {
        runtime = runtime().toBuilder().egressNetwork(INTERNET).build();
        docker = DockerMachineIT.docker();
        docker.createNetworkCmd().withName(INTERNET).withDriver("bridge").withLabels(runLabels()).exec();
        server = docker.createContainerCmd(runtime.baseImage()).withLabels(runLabels())
                .withEntrypoint("perl", "-e", SERVER, "80").withCmd(List.of())
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode(INTERNET))
                .withAliases("allowed.test", "blocked.test", "later.test").exec().getId();
        docker.startContainerCmd(server).exec();
        serverIp = docker.inspectContainerCmd(server).exec().getNetworkSettings().getNetworks().get(INTERNET).getIpAddress();
        // the first restricted machine builds the proxy image when it is missing; this one runs
        // from the proxy image, which has curl (the base image has none)
        other = track(runtime.start(MachineSpec.builder(runtime.baseImage()).user("ubuntu").labels(labels())
                .egress(policy("allowed.test")).build()));
        restricted = track(runtime.start(MachineSpec.builder(DockerRuntime.EGRESS_PROXY_IMAGE).user("ubuntu")
                .labels(labels()).egress(policy("allowed.test")).build()));
    }

    @AfterAll
    static void down() {
        for (Machine m : new Machine[] {restricted, other}) {
            if (m != null) {
                m.close();
            }
        }
        if (server != null) {
            docker.removeContainerCmd(server).withForce(true).exec();
        }
        if (docker != null) {
            docker.removeNetworkCmd(INTERNET).exec();
            List<Network> left = docker.listNetworksCmd().withFilter("label",
                    List.of(DockerTests.RUN_LABEL + "=" + DockerTests.RUN_ID)).exec();
            assertThat(left).as("networks of this run left behind").isEmpty();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    static EgressPolicy policy(String... hosts) {
        return EgressPolicy.allowOnly(List.of(hosts).stream().map(EgressHost::parse).toList());
    }

    static ExecResult sh(Machine m, String script) {
        return m.exec(ExecRequest.bash(script).build()).await(Duration.ofSeconds(90));
    }

    static String curl(Machine m, String args) {
        ExecResult r = sh(m, "curl -s -o /dev/null -w '%{http_code}' --max-time 10 " + args + "; echo \" exit=$?\"");
        return r.stdoutTail().strip();
    }

    @Test
    void anAllowedHostAnswersThroughTheProxyAndAnyOtherIsRefusedAndReported() {
        Instant before = Instant.now().minusSeconds(1);
        ExecResult ok = sh(restricted, "curl -sS --max-time 10 http://allowed.test/");
        assertThat(ok.stdoutTail()).isEqualTo("hello from the internet\n");
        assertThat(curl(restricted, "http://blocked.test/")).isEqualTo("403 exit=0");
        assertThat(curl(restricted, "https://blocked.test/")).as("a refused CONNECT").endsWith("exit=56");
        assertThat(curl(restricted, "https://allowed.test:8443/")).as("CONNECT only to 443").endsWith("exit=56");
        List<EgressBlock> blocked = restricted.blockedRequests(before);
        assertThat(blocked).extracting(EgressBlock::host).contains("blocked.test");
        assertThat(blocked).filteredOn(b -> b.host().equals("allowed.test")).extracting(EgressBlock::port)
                .as("an allowed host is refused only on a port CONNECT may not use").containsOnly(8443);
        assertThat(blocked).filteredOn(b -> b.host().equals("blocked.test")).extracting(EgressBlock::port)
                .contains(80, 443);
        assertThat(blocked).allSatisfy(b -> assertThat(b.at()).isAfterOrEqualTo(before));
        // the proxy variables reach tools run through sudo, and apt has its own setting
        assertThat(sh(restricted, "sudo -n sh -c 'echo $https_proxy'; cat /etc/apt/apt.conf.d/90nightshift-egress-proxy")
                .stdoutTail()).contains(":3128\n").contains("Acquire::http::Proxy");
    }

    @Test
    void aDirectConnectionThatBypassesTheProxyGoesNowhere() {
        assertThat(curl(restricted, "--noproxy '*' http://" + serverIp + "/")).as("direct by address").isNotEqualTo("200 exit=0")
                .doesNotStartWith("200");
        assertThat(curl(restricted, "--noproxy '*' http://allowed.test/")).doesNotStartWith("200");
        ExecResult root = sh(restricted, "sudo -n iptables -F 2>&1; sudo -n iptables -P OUTPUT ACCEPT 2>&1;"
                + " curl -s -o /dev/null -w '%{http_code}' --max-time 5 --noproxy '*' http://" + serverIp + "/; echo \" exit=$?\"");
        assertThat(root.stdoutTail()).as("root in the machine cannot lift the rules").contains("Permission denied")
                .doesNotContain("200 exit=0");
    }

    @Test
    void aRestrictedMachineReachesNeitherTheHostNorAnotherMachine() throws IOException {
        try (ServerSocket host = new ServerSocket(0)) { // 0.0.0.0: reachable from every bridge gateway
            int port = host.getLocalPort();
            Network outside = docker.inspectNetworkCmd().withNetworkId(INTERNET).exec();
            String outsideGateway = outside.getIpam().getConfig().get(0).getGateway();
            String internalSubnetGateway = docker.inspectNetworkCmd().withNetworkId(docker.inspectContainerCmd(restricted.id())
                    .exec().getNetworkSettings().getNetworks().keySet().iterator().next()).exec()
                    .getIpam().getConfig().get(0).getGateway();
            for (String gw : List.of(internalSubnetGateway, outsideGateway)) {
                ExecResult direct = sh(restricted, "timeout 10 bash -c 'exec 3<>/dev/tcp/" + gw + "/" + port
                        + "' && echo connected || echo refused");
                assertThat(direct.stdoutTail()).as("direct to the host at %s", gw).isEqualTo("refused\n");
            }
            // through the proxy too, even when the address is on the list
            restricted.updateEgress(policy("allowed.test", outsideGateway));
            try {
                assertThat(curl(restricted, "http://" + outsideGateway + ":" + port + "/")).startsWith("403");
            } finally {
                restricted.updateEgress(policy("allowed.test"));
            }
        }
        // another restricted machine listens; this one cannot reach it
        String otherIp = docker.inspectContainerCmd(other.id()).exec().getNetworkSettings().getNetworks().values()
                .iterator().next().getIpAddress();
        other.exec(ExecRequest.bash("nohup perl -e '" + SERVER.replace("'", "'\\''") + "' 8099 >/dev/null 2>&1 &").build())
                .await(Duration.ofSeconds(30));
        // the base image has no curl: bash's /dev/tcp, retried until the listener is up
        ExecResult self = sh(other, "for i in $(seq 100); do if exec 3<>/dev/tcp/127.0.0.1/8099; then"
                + " printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3; exit 0; fi 2>/dev/null; sleep 0.2; done; exit 1");
        assertThat(self.stdoutTail()).as("control: the listener answers inside its own machine").contains("hello");
        assertThat(curl(restricted, "--noproxy '*' http://" + otherIp + ":8099/")).doesNotStartWith("200");
        assertThat(curl(restricted, "http://" + otherIp + ":8099/")).as("nor through the proxy").startsWith("403");
    }

    @Test
    void aLivePolicyChangeTakesEffectOnTheNextConnection() {
        assertThat(curl(restricted, "http://later.test/")).isEqualTo("403 exit=0");
        restricted.updateEgress(policy("allowed.test", "*.later.test"));
        try {
            assertThat(curl(restricted, "http://later.test/")).as("widened").isEqualTo("200 exit=0");
            restricted.updateEgress(policy("later.test"));
            assertThat(curl(restricted, "http://allowed.test/")).as("narrowed").isEqualTo("403 exit=0");
            assertThat(curl(restricted, "http://later.test/")).isEqualTo("200 exit=0");
        } finally {
            restricted.updateEgress(policy("allowed.test"));
        }
        assertThatThrownBy(() -> restricted.updateEgress(EgressPolicy.ALLOW_ALL))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    /**
     * The one test that reaches a real outside host: Debian's mirror (deb.debian.org over HTTP, what
     * the base image's sources name), through the proxy on the test's outside network.
     */
    @Test
    void withTheDebianMirrorOnTheListSudoAptGetUpdateWorksAndWithoutItFails() {
        List<EgressHost> debian = EgressPolicy.DEFAULT_HOSTS.stream().filter(h -> h.domain().endsWith("debian.org"))
                .toList();
        assertThat(debian).as("the default list's Debian entries").extracting(EgressHost::domain).contains("deb.debian.org");
        EgressPolicy withMirror = EgressPolicy.allowOnly(debian);
        try (Machine m = track(runtime.start(MachineSpec.builder(runtime.baseImage()).user("ubuntu").labels(labels())
                .egress(withMirror).build()))) {
            // every host the image's sources name is on the list
            String sources = sh(m, "cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources"
                    + " 2>/dev/null | grep -oE 'https?://[^/ ]+' | sed -E 's#https?://##' | sort -u").stdoutTail();
            List<String> hosts = sources.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
            assertThat(hosts).as("the mirrors of the base image's sources").isNotEmpty()
                    .allSatisfy(h -> assertThat(withMirror.permits(h)).as("%s on the list", h).isTrue());

            ExecResult ok = m.exec(ExecRequest.bash("sudo -n rm -rf /var/lib/apt/lists/*;"
                    + " sudo -n apt-get -o APT::Update::Error-Mode=any update 2>&1").build())
                    .await(Duration.ofMinutes(5));
            assertThat(ok.exitCode()).as("apt-get update through the proxy:\n%s", ok.stdoutTail()).isZero();
            assertThat(ok.stdoutTail()).contains("deb.debian.org").doesNotContain("Err:").doesNotContain("Forbidden");
            assertThat(sh(m, "ls /var/lib/apt/lists/ | grep -c _Packages || true").stdoutTail().strip())
                    .as("package lists fetched").isNotEqualTo("0");

            // control: the same machine with the mirror no longer on the list
            m.updateEgress(policy("allowed.test"));
            Instant before = Instant.now().minusSeconds(1);
            ExecResult refused = m.exec(ExecRequest.bash("sudo -n rm -rf /var/lib/apt/lists/*;"
                    + " sudo -n apt-get -o APT::Update::Error-Mode=any -o Acquire::Retries=0 update 2>&1").build())
                    .await(Duration.ofMinutes(5));
            assertThat(refused.exitCode()).as("apt-get update without the mirror:\n%s", refused.stdoutTail()).isNotZero();
            assertThat(refused.stdoutTail()).containsPattern("403\\s+Forbidden");
            assertThat(m.blockedRequests(before)).extracting(EgressBlock::host).contains("deb.debian.org");
        }
    }

    @Test
    void allowAllKeepsTodaysNetworking() {
        try (Machine open = track(runtime.start(MachineSpec.builder(DockerRuntime.EGRESS_PROXY_IMAGE).user("ubuntu")
                .labels(labels()).build()))) {
            assertThat(sh(open, "env | grep -ci proxy || true").stdoutTail().strip()).isEqualTo("0");
            assertThat(docker.inspectContainerCmd(open.id()).exec().getHostConfig().getNetworkMode()).isIn("default", "bridge");
            docker.connectToNetworkCmd().withNetworkId(INTERNET).withContainerId(open.id()).exec();
            assertThat(curl(open, "http://allowed.test/")).isEqualTo("200 exit=0");
            assertThat(curl(open, "http://blocked.test/")).isEqualTo("200 exit=0");
            assertThat(open.blockedRequests(Instant.EPOCH)).isEmpty();
            docker.disconnectFromNetworkCmd().withNetworkId(INTERNET).withContainerId(open.id()).withForce(true).exec();
        }
    }
}
