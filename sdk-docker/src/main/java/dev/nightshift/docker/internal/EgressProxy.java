package dev.nightshift.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.StreamType;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.EgressBlock;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.machine.CommandOutput;
import dev.nightshift.machine.Tars;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress enforcement for one restricted machine: its own {@code --internal} network (no route
 * out, no other machine on it), a squid proxy container on the outside network and connected to
 * the internal one (the machine's only way out), and packet filter rules in the machine's own
 * network namespace that let it reach nothing but the proxy's port (so neither the host through
 * the bridge gateway nor a direct connection goes anywhere). The rules are set by a short-lived
 * helper container with {@code NET_ADMIN} that shares the machine's namespace; the machine itself
 * has no {@code NET_ADMIN}, so root in it cannot undo them.
 *
 * <p>The proxy image {@link #IMAGE} (squid, iptables and curl from Debian, on the base image) is
 * built locally when missing and kept as a cached image, like the base images. squid logs only
 * host, port and verdict ({@code logformat nightshift}), never headers or bodies.
 *
 * <p>Thread-safety: stateless apart from the image build, which is serialised. Lifecycle: one per
 * runtime.
 */
public final class EgressProxy {
    /** The proxy image; the tag names the recipe below, bump it when the recipe changes. */
    public static final String IMAGE = "nightshift/egress-proxy:squid-1";
    /** What the proxy image is built from (whatever the machines' base), made by scripts/base-image. */
    static final String BASE = "nightshift/base:bookworm";
    /** On the machine, its proxy and its network: the egress id that ties them together. */
    public static final String LABEL = "dev.nightshift.egress";
    /** Only on proxy containers (they are not machines). */
    public static final String LABEL_PROXY = "dev.nightshift.egress.proxy";
    static final int PORT = 3128;
    private static final String CONF_DIR = "/etc/squid/nightshift";
    private static final Logger LOG = LoggerFactory.getLogger(EgressProxy.class);
    private static final Object BUILD_LOCK = new Object();

    private final RuntimeCore core;
    private final String baseImage;
    private final String outsideNetwork;

    EgressProxy(RuntimeCore core, String baseImage, String outsideNetwork) {
        this.core = core;
        this.baseImage = baseImage;
        this.outsideNetwork = outsideNetwork;
    }

    /** What a restricted machine is started with. */
    record Setup(String egressId, String network, String proxyId, String proxyAddress, Map<String, String> env) {
    }

    private DockerClient client() {
        return core.client();
    }

    /** Builds {@link #IMAGE} from the base image when it is missing. */
    void ensureImage() {
        synchronized (BUILD_LOCK) {
            try {
                client().inspectImageCmd(IMAGE).exec();
                return;
            } catch (NotFoundException e) {
                LOG.info("building the egress proxy image {} from {}", IMAGE, baseImage);
            }
            String dockerfile = "FROM " + baseImage + "\nUSER root\n"
                    + "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends"
                    + " squid iptables curl && rm -rf /var/lib/apt/lists/* && mkdir -p " + CONF_DIR + "\n";
            byte[] tar = Tars.singleFile("Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8), 0, 0, 0644);
            try {
                client().buildImageCmd(new ByteArrayInputStream(tar)).withTags(java.util.Set.of(IMAGE))
                        .withForcerm(true).withLabels(Map.of("dev.nightshift.egress.image", "squid-1"))
                        .exec(new BuildImageResultCallback()).awaitImageId(15, TimeUnit.MINUTES);
            } catch (RuntimeException e) {
                throw new NightshiftException("could not build the egress proxy image " + IMAGE + " from " + baseImage
                        + " (it installs squid from Debian's packages; scripts/base-image makes the base): "
                        + e.getMessage(), e);
            }
        }
    }

    /** Creates the network and the proxy for a machine about to start with {@code labels}. */
    Setup setUp(EgressPolicy policy, Map<String, String> machineLabels) {
        ensureImage();
        String egressId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Map<String, String> labels = new LinkedHashMap<>(machineLabels);
        labels.remove(Labels.USER);
        labels.remove(Labels.WORKDIR);
        labels.put(LABEL, egressId);
        String network = "nightshift-egress-" + egressId;
        String proxyId = null;
        try {
            client().createNetworkCmd().withName(network).withInternal(true).withDriver("bridge")
                    .withLabels(labels).exec();
            Map<String, String> proxyLabels = new LinkedHashMap<>(labels);
            proxyLabels.put(LABEL_PROXY, "true");
            proxyId = client().createContainerCmd(IMAGE)
                    .withName("nightshift-egress-proxy-" + egressId)
                    .withUser("proxy")
                    .withEntrypoint("squid", "-N", "-f", CONF_DIR + "/squid.conf")
                    .withCmd(List.of())
                    .withLabels(proxyLabels)
                    .withHostConfig(HostConfig.newHostConfig().withInit(true).withNetworkMode(outsideNetwork)
                            .withMemory(256L * 1024 * 1024))
                    .exec().getId();
            writeConfig(proxyId, policy, outsideGateways());
            client().startContainerCmd(proxyId).exec();
            client().connectToNetworkCmd().withNetworkId(network).withContainerId(proxyId).exec();
            InspectContainerResponse r = client().inspectContainerCmd(proxyId).exec();
            ContainerNetwork n = r.getNetworkSettings().getNetworks().get(network);
            String address = n.getIpAddress();
            CommandOutput ready = exec(proxyId, "proxy", List.of("sh", "-c", "i=0; while [ $i -lt 300 ]; do"
                    + " curl -s -o /dev/null --max-time 1 http://127.0.0.1:" + PORT + "/ && exit 0; i=$((i+1));"
                    + " sleep 0.1; done; exit 1"), Duration.ofSeconds(60));
            if (!ready.ok()) {
                throw new NightshiftException("the egress proxy did not start: " + logs(proxyId, 0));
            }
            return new Setup(egressId, network, proxyId, address, proxyEnv(address));
        } catch (RuntimeException e) {
            tearDown(egressId);
            throw e instanceof NightshiftException ? e
                    : new NightshiftException("could not set up the egress proxy: " + e.getMessage(), e);
        }
    }

    /** The proxy variables of a machine behind {@code address}, upper and lower case, and npm's and pip's. */
    static Map<String, String> proxyEnv(String address) {
        String url = "http://" + address + ":" + PORT;
        String none = "localhost,127.0.0.1,::1";
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "npm_config_proxy",
                "npm_config_https_proxy", "PIP_PROXY")) {
            env.put(name, url);
        }
        env.put("no_proxy", none);
        env.put("NO_PROXY", none);
        return env;
    }

    /**
     * Locks the started machine's network namespace to the proxy, and writes the proxy settings
     * that environment variables do not reach: apt's, git's system config, and sudo keeping the
     * variables.
     */
    void lockDown(DockerMachine machine, Setup setup) {
        String script = "set -e; iptables -A OUTPUT -o lo -j ACCEPT;"
                + " iptables -A OUTPUT -d " + setup.proxyAddress() + " -p tcp --dport " + PORT + " -j ACCEPT;"
                + " iptables -A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT;"
                + " iptables -A OUTPUT -j REJECT; iptables -P OUTPUT DROP;"
                + " ip6tables -A OUTPUT -o lo -j ACCEPT 2>/dev/null && ip6tables -P OUTPUT DROP 2>/dev/null || true";
        String helper = client().createContainerCmd(IMAGE).withUser("root")
                .withEntrypoint("sh", "-c", script).withCmd(List.of())
                .withLabels(Map.of(Labels.MANAGED + ".helper", "egress", LABEL, setup.egressId()))
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("container:" + machine.id())
                        .withCapAdd(Capability.NET_ADMIN))
                .exec().getId();
        try {
            client().startContainerCmd(helper).exec();
            Integer code = client().waitContainerCmd(helper).start().awaitStatusCode(60, TimeUnit.SECONDS);
            if (code == null || code != 0) {
                throw new NightshiftException("could not restrict the machine's network (exit " + code + "): "
                        + logs(helper, 0));
            }
        } finally {
            removeContainer(helper);
        }
        String url = "http://" + setup.proxyAddress() + ":" + PORT;
        String keep = "http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY npm_config_proxy"
                + " npm_config_https_proxy PIP_PROXY";
        CommandOutput r = machine.runRaw(List.of("sh", "-c",
                "mkdir -p /etc/apt/apt.conf.d && printf 'Acquire::http::Proxy \"%s\";\\nAcquire::https::Proxy \"%s\";\\n'"
                        + " \"$1\" \"$1\" > /etc/apt/apt.conf.d/90nightshift-egress-proxy;"
                        + " if [ -d /etc/sudoers.d ]; then printf 'Defaults env_keep += \"%s\"\\n' \"$2\""
                        + " > /etc/sudoers.d/90nightshift-egress && chmod 0440 /etc/sudoers.d/90nightshift-egress; fi;"
                        + " if command -v git >/dev/null; then git config --system http.proxy \"$1\"; fi",
                "nightshift-egress", url, keep), "root", Duration.ofSeconds(60));
        if (!r.ok()) {
            throw new NightshiftException("could not write the proxy settings into the machine: " + r.stderr().strip());
        }
    }

    /** Replaces the allowlist of the proxy of {@code egressId}; new connections follow it. */
    void update(String egressId, EgressPolicy policy) {
        if (policy.allowAll()) {
            throw new UnsupportedOperationException("a restricted machine cannot become allow-all: its network has no"
                    + " route out; start a new machine");
        }
        String proxy = proxyOf(egressId).orElseThrow(() -> new NightshiftException(
                "the egress proxy of this machine is gone (egress id " + egressId + ")"));
        writeConfig(proxy, policy, outsideGateways());
        CommandOutput parse = exec(proxy, "proxy", List.of("squid", "-k", "parse", "-f", CONF_DIR + "/squid.conf"),
                Duration.ofSeconds(60));
        if (!parse.ok()) {
            throw new NightshiftException("the new proxy configuration does not parse: " + parse.stderr().strip());
        }
        CommandOutput r = exec(proxy, "proxy", List.of("squid", "-k", "reconfigure", "-f", CONF_DIR + "/squid.conf"),
                Duration.ofSeconds(60));
        if (!r.ok()) {
            throw new NightshiftException("could not reconfigure the egress proxy: " + r.stderr().strip());
        }
        // reconfigure returns once the signal is sent: wait until squid answers again with the new list
        CommandOutput ready = exec(proxy, "proxy", List.of("sh", "-c", "i=0; while [ $i -lt 300 ]; do"
                + " curl -s -o /dev/null --max-time 1 http://127.0.0.1:" + PORT + "/ && exit 0; i=$((i+1));"
                + " sleep 0.1; done; exit 1"), Duration.ofSeconds(60));
        if (!ready.ok()) {
            throw new NightshiftException("the egress proxy did not come back after a reconfigure");
        }
    }

    /** The requests the proxy of {@code egressId} refused since {@code since}. */
    List<EgressBlock> blocked(String egressId, Instant since) {
        Optional<String> proxy = proxyOf(egressId);
        if (proxy.isEmpty()) {
            return List.of();
        }
        List<EgressBlock> out = new ArrayList<>();
        for (String line : logs(proxy.get(), Math.max(0, since.getEpochSecond())).split("\n")) {
            // egress <epoch>.<ms> <host> <port> <squid status>/<http status>
            String[] f = line.strip().split(" ");
            if (f.length == 5 && f[0].equals("egress") && f[4].startsWith("TCP_DENIED")) {
                try {
                    double ts = Double.parseDouble(f[1]);
                    Instant at = Instant.ofEpochMilli((long) (ts * 1000));
                    if (!at.isBefore(since)) {
                        out.add(new EgressBlock(f[2], Integer.parseInt(f[3]), at));
                    }
                } catch (NumberFormatException e) {
                    // not one of our lines
                }
            }
        }
        return List.copyOf(out);
    }

    /** Removes the proxy and the network of {@code egressId} (the machine must be gone for the network). */
    void tearDown(String egressId) {
        for (var c : client().listContainersCmd().withShowAll(true).withLabelFilter(Map.of(LABEL, egressId)).exec()) {
            if (c.getLabels() != null && "true".equals(c.getLabels().get(LABEL_PROXY))
                    || c.getLabels() != null && c.getLabels().containsKey(Labels.MANAGED + ".helper")) {
                removeContainer(c.getId());
            }
        }
        for (Network n : client().listNetworksCmd().withFilter("label", List.of(LABEL + "=" + egressId)).exec()) {
            try {
                client().removeNetworkCmd(n.getId()).exec();
            } catch (NotFoundException e) {
                // gone
            } catch (RuntimeException e) {
                LOG.debug("network {} not removed yet: {}", n.getName(), e.getMessage());
            }
        }
    }

    private Optional<String> proxyOf(String egressId) {
        return client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL, egressId, LABEL_PROXY, "true")).exec().stream()
                .map(c -> c.getId()).findFirst();
    }

    private void removeContainer(String id) {
        try {
            client().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException | ConflictException e) {
            // gone or going
        }
    }

    /** The gateways of the outside network: the host's addresses there, refused by the proxy. */
    private List<String> outsideGateways() {
        List<String> out = new ArrayList<>();
        try {
            Network n = client().inspectNetworkCmd().withNetworkId(outsideNetwork).exec();
            if (n.getIpam() != null && n.getIpam().getConfig() != null) {
                n.getIpam().getConfig().stream().map(Network.Ipam.Config::getGateway)
                        .filter(g -> g != null && !g.isEmpty()).forEach(out::add);
            }
        } catch (NotFoundException e) {
            throw new NightshiftException("the egress proxy's outside network '" + outsideNetwork + "' does not exist", e);
        }
        return out;
    }

    /** squid.conf and allow.txt for {@code policy}. */
    static Map<String, String> config(EgressPolicy policy, List<String> hostAddresses) {
        StringBuilder allow = new StringBuilder();
        for (EgressHost h : policy.hosts()) {
            allow.append(h.wildcard() ? "." + h.domain() : h.domain()).append('\n');
        }
        StringBuilder conf = new StringBuilder();
        conf.append("# written by Nightshift: the egress policy of one machine\n")
                .append("http_port ").append(PORT).append('\n')
                .append("pid_filename /tmp/squid.pid\n")
                .append("cache deny all\ncache_mem 8 MB\ncoredump_dir /tmp\ncache_log stdio:/dev/stderr\n")
                .append("shutdown_lifetime 1 seconds\n")
                // bulk downloads: read ahead of the client by more than the 16 KB default
                .append("read_ahead_gap 1 MB\n")
                .append("acl SSL_ports port 443\n")
                .append("acl Safe_ports port 80 443 1025-65535\n")
                .append("acl CONNECT method CONNECT\n")
                .append("acl to_host dst 127.0.0.0/8 0.0.0.0/32 ::1");
        hostAddresses.forEach(a -> conf.append(' ').append(a));
        conf.append('\n')
                .append("http_access deny !Safe_ports\n")
                .append("http_access deny CONNECT !SSL_ports\n")
                .append("http_access deny to_host\n");
        if (!policy.hosts().isEmpty()) {
            conf.append("acl allowed dstdomain \"").append(CONF_DIR).append("/allow.txt\"\n")
                    .append("http_access allow allowed\n");
        }
        conf.append("http_access deny all\n")
                // host, port and verdict only: never headers, bodies, paths or the client's credentials
                .append("logformat nightshift egress %ts.%03tu %>rd %>rP %Ss/%>Hs\n")
                .append("access_log stdio:/dev/stdout nightshift\n")
                .append("via off\nforwarded_for delete\n");
        Map<String, String> files = new LinkedHashMap<>();
        files.put("squid.conf", conf.toString());
        files.put("allow.txt", allow.toString());
        return files;
    }

    private void writeConfig(String container, EgressPolicy policy, List<String> hostAddresses) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(buf)) {
            for (Map.Entry<String, String> f : config(policy, hostAddresses).entrySet()) {
                byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(content.length);
                e.setMode(0644);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing an in-memory tar failed", e);
        }
        client().copyArchiveToContainerCmd(container).withTarInputStream(new ByteArrayInputStream(buf.toByteArray()))
                .withRemotePath(CONF_DIR).exec();
    }

    private String logs(String container, long sinceEpochSecond) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            var cmd = client().logContainerCmd(container).withStdOut(true).withStdErr(true);
            if (sinceEpochSecond > 0) {
                cmd.withSince((int) sinceEpochSecond);
            }
            cmd.exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (out) {
                        out.writeBytes(frame.getPayload());
                    }
                }
            }).awaitCompletion(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (NotFoundException e) {
            return "";
        }
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private CommandOutput exec(String container, String user, List<String> command, Duration timeout) {
        try {
            String execId = client().execCreateCmd(container).withCmd(command.toArray(String[]::new)).withUser(user)
                    .withAttachStdout(true).withAttachStderr(true).exec().getId();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            boolean done = client().execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (out) {
                        (frame.getStreamType() == StreamType.STDERR ? err : out).writeBytes(frame.getPayload());
                    }
                }
            }).awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                throw new NightshiftException("command " + command.get(0) + " in the egress proxy did not finish within "
                        + timeout);
            }
            Long code = client().inspectExecCmd(execId).exec().getExitCodeLong();
            synchronized (out) {
                return new CommandOutput(code == null ? -1 : code.intValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted in the egress proxy", e);
        }
    }
}
