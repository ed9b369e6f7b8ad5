package dev.nightshift.core;

import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.spec.EgressHost;
import java.util.List;
import java.util.Objects;

/**
 * The embedder's network policy for agents' machines, per phase: the <b>build</b> (base image,
 * Dockerfile build, checkout, {@code install}) and the agent's <b>turn</b>. For each phase a
 * default (used when environment.json has no {@code egressMode}) and a maximum (what
 * environment.json can never exceed: it can only narrow). {@code networkSettings} is the
 * embedder's own allowlist (team or engine level), what the {@code *_network_settings} modes add.
 *
 * <p>How an {@code egressMode} maps onto a phase's policy (then clamped to the phase's maximum
 * with {@link EgressPolicy#narrow}):
 * <ul>
 *   <li>{@code allow_all}: everything;</li>
 *   <li>{@code parent_plus_network_settings}: the phase's default plus {@code networkSettings}
 *       plus the file's {@code egressAllowlist};</li>
 *   <li>{@code default_with_network_settings}: {@link EgressPolicy#DEFAULT_HOSTS} plus
 *       {@code networkSettings} plus the file's list;</li>
 *   <li>{@code network_settings_only}: {@code networkSettings} plus the file's list.</li>
 * </ul>
 * {@link #UNRESTRICTED} (the default of {@link Nightshift.Builder}) keeps every machine fully
 * networked unless environment.json narrows it.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * // Codex-like: setup online, the agent's turn limited to the default registries.
 * EgressSettings s = EgressSettings.UNRESTRICTED
 *         .withTurn(EgressPolicy.allowOnly(EgressPolicy.DEFAULT_HOSTS), EgressPolicy.allowOnly(EgressPolicy.DEFAULT_HOSTS));
 * Nightshift.builder().egress(s);
 * }</pre>
 *
 * @param buildDefault the build's policy when environment.json names no mode
 * @param buildMaximum the widest build policy environment.json can get
 * @param turnDefault the turn's policy when environment.json names no mode
 * @param turnMaximum the widest turn policy environment.json can get
 * @param networkSettings the embedder's own allowlist
 */
public record EgressSettings(EgressPolicy buildDefault, EgressPolicy buildMaximum, EgressPolicy turnDefault,
        EgressPolicy turnMaximum, List<EgressHost> networkSettings) {
    /** Everything allowed in both phases unless environment.json narrows it. */
    public static final EgressSettings UNRESTRICTED = new EgressSettings(EgressPolicy.ALLOW_ALL,
            EgressPolicy.ALLOW_ALL, EgressPolicy.ALLOW_ALL, EgressPolicy.ALLOW_ALL, List.of());

    public EgressSettings {
        Objects.requireNonNull(buildDefault, "buildDefault");
        Objects.requireNonNull(buildMaximum, "buildMaximum");
        Objects.requireNonNull(turnDefault, "turnDefault");
        Objects.requireNonNull(turnMaximum, "turnMaximum");
        networkSettings = List.copyOf(networkSettings);
        buildDefault = buildDefault.narrow(buildMaximum);
        turnDefault = turnDefault.narrow(turnMaximum);
    }

    /** These settings with another build default and maximum (the default is clamped to the maximum). */
    public EgressSettings withBuild(EgressPolicy defaultPolicy, EgressPolicy maximum) {
        return new EgressSettings(defaultPolicy, maximum, turnDefault, turnMaximum, networkSettings);
    }

    /** These settings with another turn default and maximum (the default is clamped to the maximum). */
    public EgressSettings withTurn(EgressPolicy defaultPolicy, EgressPolicy maximum) {
        return new EgressSettings(buildDefault, buildMaximum, defaultPolicy, maximum, networkSettings);
    }

    /** These settings with the embedder's own allowlist. */
    public EgressSettings withNetworkSettings(List<EgressHost> hosts) {
        return new EgressSettings(buildDefault, buildMaximum, turnDefault, turnMaximum, hosts);
    }
}
