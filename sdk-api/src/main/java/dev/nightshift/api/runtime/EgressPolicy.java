package dev.nightshift.api.runtime;

import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.api.spec.EgressMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Where a machine may open connections: everywhere ({@link #ALLOW_ALL}), or only HTTP and
 * HTTPS ({@code CONNECT}) to the hosts of an allowlist, through the runtime's egress proxy.
 * A restricted machine reaches nothing else: not the host's services, not other machines.
 *
 * <p>{@link #DEFAULT_HOSTS} is the one place that names the default allowlist (package
 * registries and git hosts) that {@code egressMode: default_with_network_settings} starts from.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * EgressPolicy turn = EgressPolicy.allowOnly(List.of(EgressHost.parse("*.example.com")));
 * turn.permits("api.example.com"); // true
 * EgressPolicy.ALLOW_ALL.narrow(turn).equals(turn); // true
 * }</pre>
 *
 * @param allowAll whether every destination is allowed (no proxy, today's networking)
 * @param hosts the allowed hosts when not {@code allowAll} (empty: nothing is allowed);
 *     normalised: no entry covered by another, in first-seen order
 */
public record EgressPolicy(boolean allowAll, List<EgressHost> hosts) {
    /** Every destination; the machine is networked as without a policy. */
    public static final EgressPolicy ALLOW_ALL = new EgressPolicy(true, List.of());

    /** Nothing: every request through the proxy is refused. */
    public static final EgressPolicy DENY_ALL = new EgressPolicy(false, List.of());

    /**
     * The default allowlist: package registries and git hosts. npm and Yarn, PyPI, Debian and
     * Ubuntu mirrors, Maven Central, crates.io and the Rust distribution, the Go module proxy and
     * checksum database, GitHub, GitLab and Bitbucket. A {@code *.} entry includes the domain
     * itself.
     */
    public static final List<EgressHost> DEFAULT_HOSTS = List.of(
            // npm, Yarn
            h("registry.npmjs.org"), h("registry.yarnpkg.com"), h("repo.yarnpkg.com"),
            // PyPI
            h("pypi.org"), h("files.pythonhosted.org"),
            // Debian
            h("deb.debian.org"), h("security.debian.org"), h("ftp.debian.org"),
            // Ubuntu (country mirrors are *.archive.ubuntu.com)
            h("*.archive.ubuntu.com"), h("security.ubuntu.com"), h("ports.ubuntu.com"),
            // Maven Central
            h("repo.maven.apache.org"), h("repo1.maven.org"),
            // crates.io, rustup
            h("crates.io"), h("index.crates.io"), h("static.crates.io"), h("static.rust-lang.org"),
            // Go
            h("proxy.golang.org"), h("sum.golang.org"),
            // GitHub (api., codeload., raw and release downloads)
            h("*.github.com"), h("*.githubusercontent.com"),
            // GitLab
            h("*.gitlab.com"),
            // Bitbucket
            h("*.bitbucket.org"));

    public EgressPolicy {
        Objects.requireNonNull(hosts, "hosts");
        if (allowAll && !hosts.isEmpty()) {
            throw new IllegalArgumentException("an allow-all policy has no host list");
        }
        hosts = normalise(hosts);
    }

    /** Only {@code hosts}. */
    public static EgressPolicy allowOnly(Collection<EgressHost> hosts) {
        return new EgressPolicy(false, List.copyOf(hosts));
    }

    /** Only the hosts of {@code entries}, parsed with {@link EgressHost#parse(String)}. */
    public static EgressPolicy allowOnlyEntries(Collection<String> entries) {
        return allowOnly(entries.stream().map(EgressHost::parse).toList());
    }

    /**
     * The policy a running agent is given by {@code mode} and {@code hosts}, the way
     * {@link dev.nightshift.api.Agent#updateEgress} takes it: {@code network_settings_only} is the
     * hosts alone, {@code default_with_network_settings} adds {@link #DEFAULT_HOSTS}.
     *
     * @throws IllegalArgumentException for {@code allow_all} (a restricted machine has no route out
     *     but its proxy), {@code parent_plus_network_settings} (it depends on engine settings the
     *     caller does not hold) and unknown modes; the message names the two modes that work
     */
    public static EgressPolicy forAgent(EgressMode mode, Collection<EgressHost> hosts) {
        Objects.requireNonNull(mode, "mode");
        List<EgressHost> all = new ArrayList<>();
        if (mode.equals(EgressMode.DEFAULT_WITH_NETWORK_SETTINGS)) {
            all.addAll(DEFAULT_HOSTS);
        } else if (mode.equals(EgressMode.ALLOW_ALL)) {
            throw new IllegalArgumentException("allow_all cannot be set on an agent: its machine's network"
                    + " has no route out but the proxy; give the repository's environment.json egressMode allow_all"
                    + " and spawn a new agent, or use network_settings_only or default_with_network_settings");
        } else if (mode.equals(EgressMode.PARENT_PLUS_NETWORK_SETTINGS)) {
            throw new IllegalArgumentException("parent_plus_network_settings depends on the engine's settings; use"
                    + " network_settings_only or default_with_network_settings");
        } else if (!mode.equals(EgressMode.NETWORK_SETTINGS_ONLY)) {
            throw new IllegalArgumentException("unknown mode '" + mode + "': network_settings_only or"
                    + " default_with_network_settings");
        }
        all.addAll(hosts);
        return allowOnly(all);
    }

    /** Whether a request to {@code host} is allowed. */
    public boolean permits(String host) {
        return allowAll || hosts.stream().anyMatch(h -> h.matches(host));
    }

    /** This policy plus {@code more} hosts (allow-all stays allow-all). */
    public EgressPolicy plus(Collection<EgressHost> more) {
        if (allowAll) {
            return this;
        }
        List<EgressHost> all = new ArrayList<>(hosts);
        all.addAll(more);
        return allowOnly(all);
    }

    /**
     * What both policies allow: the intersection. An entry of one list is kept when the other
     * list covers it, so a narrower wildcard or an exact host survives under a wider wildcard.
     */
    public EgressPolicy narrow(EgressPolicy other) {
        if (other.allowAll) {
            return this;
        }
        if (allowAll) {
            return other;
        }
        List<EgressHost> both = new ArrayList<>();
        for (EgressHost a : hosts) {
            if (other.hosts.stream().anyMatch(a::coveredBy)) {
                both.add(a);
            }
        }
        for (EgressHost b : other.hosts) {
            if (hosts.stream().anyMatch(b::coveredBy)) {
                both.add(b);
            }
        }
        return allowOnly(both);
    }

    private static List<EgressHost> normalise(List<EgressHost> hosts) {
        List<EgressHost> in = List.copyOf(new LinkedHashSet<>(hosts));
        List<EgressHost> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            EgressHost a = in.get(i);
            boolean covered = false;
            for (int j = 0; j < in.size() && !covered; j++) {
                covered = j != i && a.coveredBy(in.get(j)) && !(in.get(j).coveredBy(a) && j > i);
            }
            if (!covered) {
                out.add(a);
            }
        }
        return List.copyOf(out);
    }

    private static EgressHost h(String entry) {
        return EgressHost.parse(entry);
    }

    @Override
    public String toString() {
        return allowAll ? "EgressPolicy[allow all]" : "EgressPolicy" + hosts;
    }
}
