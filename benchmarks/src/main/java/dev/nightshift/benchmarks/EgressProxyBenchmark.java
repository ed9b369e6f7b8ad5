package dev.nightshift.benchmarks;

import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.docker.DockerRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The egress proxy's cost: a new HTTP connection per request (curl in the machine) through the
 * proxy of a restricted machine vs directly from an allow-all machine on the same network as the
 * server (added median and p99; target: at most 2 ms added median), and a 100 MB download through
 * the proxy: through a CONNECT tunnel as every HTTPS client (npm, pip, Maven, git, crates) makes it
 * (target: at least 250 MB/s), and as plain HTTP, which squid copies through its store 4 KB at a
 * time (shown beside, not judged: only apt's plain-HTTP Debian mirrors go that way). The server is a test-made HTTP server (perl on the base
 * image) on a network of its own; no address outside this machine is a target. Prints the load
 * average at the start and the end. Needs a Docker engine and the base image; without one it says
 * so and exits 0 unless {@code CI=true}.
 *
 * <p>Thread-safety: a program. Lifecycle: {@code main} runs once.
 */
public final class EgressProxyBenchmark {
    private static final Duration WAIT = Duration.ofMinutes(10);
    private static final String SERVER = "use IO::Socket::INET;"
            // unbuffered writes of a megabyte at a time: perl's print goes out in 8 KB writes, and on two
            // cores a server that slow takes the CPU the proxy under test needs
            + " sub out { my ($c, $d) = @_; my $o = 0; while ($o < length $d) {"
            + " my $w = syswrite($c, $d, length($d) - $o, $o); return unless defined $w; $o += $w } }"
            + " my $s = IO::Socket::INET->new(LocalPort => $ARGV[0],"
            + " Listen => 128, ReuseAddr => 1) or die \"$!\"; my $mb = \"\\0\" x 1048576;"
            + " while (my $c = $s->accept) { my $l = <$c>; while (my $h = <$c>) { last if $h =~ /^\\r?\\n$/ }"
            + " if ($l =~ m{ /(\\d+)m }) { my $n = $1; out($c, \"HTTP/1.1 200 OK\\r\\nContent-Length: \" . ($n * 1048576)"
            + " . \"\\r\\nConnection: close\\r\\n\\r\\n\"); out($c, $mb) for 1 .. $n; }"
            + " else { out($c, \"HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nConnection: close\\r\\n\\r\\nok\\n\") }"
            + " close $c }";

    private EgressProxyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench bench = Bench.of("Egress proxy: added latency and throughput", args);
        String id = UUID.randomUUID().toString().substring(0, 8);
        String network = "nightshift-bench-internet-" + id;
        String server = "nightshift-bench-server-" + id;
        try (DockerRuntime plain = DockerRuntime.builder().build()) {
            try {
                plain.dockerHost();
            } catch (RuntimeException e) {
                System.out.println("EgressProxyBenchmark: skipped: " + e.getMessage());
                if ("true".equals(System.getenv("CI"))) {
                    System.exit(1);
                }
                return;
            }
            System.out.println("load average at start: " + load());
            docker("network", "create", network);
            try (DockerRuntime docker = plain.toBuilder().egressNetwork(network).build()) {
                // port 80 for plain HTTP, 443 for the tunnel (CONNECT) an HTTPS client opens
                docker("run", "-d", "--name", server, "--network", network, "--network-alias", "server.test",
                        DockerRuntime.MINIMAL_BASE_IMAGE, "sh", "-c",
                        "perl -e \"$0\" 80 & exec perl -e \"$0\" 443", SERVER);
                measure(bench, docker, id);
            } finally {
                docker("rm", "-f", server);
                docker("network", "rm", network);
            }
            System.out.println("load average at end: " + load());
        }
        bench.print();
    }

    private static void measure(Bench bench, DockerRuntime docker, String id) {
        int n = bench.size(200, 5);
        int mb = bench.size(100, 10);
        MachineSpec.Builder spec = MachineSpec.builder(DockerRuntime.MINIMAL_BASE_IMAGE).user("ubuntu")
                .label("dev.nightshift.benchmark", id);
        EgressPolicy allow = EgressPolicy.allowOnly(List.of(EgressHost.parse("server.test")));
        // the first restricted machine builds the proxy image when missing; the measuring machines
        // run from it because it has curl
        try (Machine first = docker.start(spec.egress(allow).build());
             Machine proxied = docker.start(spec.image(DockerRuntime.EGRESS_PROXY_IMAGE).egress(allow).build());
             Machine direct = docker.start(spec.image(DockerRuntime.EGRESS_PROXY_IMAGE).egress(EgressPolicy.ALLOW_ALL).build())) {
            docker("network", "connect", "nightshift-bench-internet-" + id, direct.id());
            String loop = "for i in $(seq 3); do curl -s -o /dev/null http://server.test/ ; done;"
                    + " for i in $(seq " + n + "); do curl -s -o /dev/null -w '%{time_total}\\n' http://server.test/; done";
            double[] viaProxy = times(run(proxied, loop));
            double[] viaDirect = times(run(direct, loop.replace("curl -s", "curl --noproxy '*' -s")));
            double addedMedian = pct(viaProxy, 50) - pct(viaDirect, 50);
            double addedP99 = pct(viaProxy, 99) - pct(viaDirect, 99);
            bench.row("request, new connection: median", ms(pct(viaProxy, 50)), ms(pct(viaDirect, 50)) + " (direct)",
                    "<= 2 ms added, now " + ms(addedMedian), addedMedian <= 2.0);
            bench.row("request, new connection: p99", ms(pct(viaProxy, 99)), ms(pct(viaDirect, 99)) + " (direct)",
                    "added " + ms(addedP99));
            // HTTPS (npm, PyPI, Maven Central, GitHub, crates...) goes through the proxy as a CONNECT
            // tunnel: squid relays opaque bytes. curl's -p opens the same tunnel for plain HTTP on 443,
            // so no TLS cost on either end is measured as the proxy's
            String tunnel = "curl -s -p -o /dev/null -w '%{speed_download}\\n' http://server.test:443/" + mb + "m";
            double tunnelRate = rate(run(proxied, tunnel));
            double directRate = rate(run(direct, tunnel.replace("curl -s -p", "curl --noproxy '*' -s")));
            bench.row(mb + " MB download, HTTPS (CONNECT tunnel)", mbps(tunnelRate), mbps(directRate) + " (direct)",
                    ">= 250 MB/s", tunnelRate >= 250);
            // plain HTTP (Debian's mirrors, apt's default) goes through squid's store, copied 4 KB at a
            // time (a compile-time size): shown, not judged; the target is the download clients make
            String plain = "curl -s -o /dev/null -w '%{speed_download}\\n' http://server.test/" + mb + "m";
            bench.row(mb + " MB download, plain HTTP", mbps(rate(run(proxied, plain))),
                    mbps(rate(run(direct, plain.replace("curl -s", "curl --noproxy '*' -s")))) + " (direct)",
                    "squid's store path (4 KB copies)");
        }
    }

    private static double rate(String bytesPerSecond) {
        return Double.parseDouble(bytesPerSecond.strip()) / 1e6;
    }

    private static String mbps(double rate) {
        return String.format(Locale.ROOT, "%.0f MB/s", rate);
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.2f ms", millis);
    }

    private static double[] times(String lines) {
        return Arrays.stream(lines.strip().split("\n")).mapToDouble(s -> Double.parseDouble(s.strip()) * 1000).sorted()
                .toArray();
    }

    private static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String run(Machine m, String script) {
        ExecResult r = m.exec(ExecRequest.bash(script).build()).await(WAIT);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("benchmark command failed (exit " + r.exitCode() + "): " + r.stderrTail());
        }
        return r.stdoutTail();
    }

    private static String load() throws IOException {
        Path p = Path.of("/proc/loadavg");
        return Files.isReadable(p) ? Files.readString(p, StandardCharsets.UTF_8).strip() : "unknown";
    }

    private static void docker(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "docker";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("docker " + String.join(" ", args) + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run docker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
