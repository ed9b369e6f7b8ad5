package dev.nightshift.core.internal.egress;

import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.api.spec.EgressMode;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.core.EgressSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a spec's {@code egressMode} and {@code egressAllowlist} onto the policy of each phase,
 * under the embedder's {@link EgressSettings} (see there for the mapping). Fails closed: an
 * unknown mode or a malformed entry (a spec built by code, not by the parser) is an error.
 *
 * <p>Thread-safety: stateless. Lifecycle: static.
 */
public final class EgressResolver {
    /** The phases with their own policy. */
    public enum Phase { BUILD, TURN }

    private EgressResolver() {
    }

    /** The policy of {@code phase} for {@code spec}. */
    public static EgressPolicy resolve(EnvironmentSpec spec, EgressSettings settings, Phase phase) {
        EgressPolicy defaultPolicy = phase == Phase.BUILD ? settings.buildDefault() : settings.turnDefault();
        EgressPolicy maximum = phase == Phase.BUILD ? settings.buildMaximum() : settings.turnMaximum();
        EgressMode mode = spec.egressMode();
        List<EgressHost> fileHosts = new ArrayList<>();
        for (String entry : spec.egressAllowlist()) {
            var problem = EgressHost.problem(entry);
            if (problem.isPresent()) {
                throw new ValidationException("egressAllowlist: malformed entry: " + problem.get());
            }
            fileHosts.add(EgressHost.parse(entry));
        }
        List<EgressHost> extra = new ArrayList<>(settings.networkSettings());
        extra.addAll(fileHosts);
        EgressPolicy wanted;
        if (mode == null) {
            wanted = fileHosts.isEmpty() ? defaultPolicy : defaultPolicy.plus(fileHosts);
        } else if (mode.equals(EgressMode.ALLOW_ALL)) {
            wanted = EgressPolicy.ALLOW_ALL;
        } else if (mode.equals(EgressMode.PARENT_PLUS_NETWORK_SETTINGS)) {
            wanted = defaultPolicy.plus(extra);
        } else if (mode.equals(EgressMode.DEFAULT_WITH_NETWORK_SETTINGS)) {
            wanted = EgressPolicy.allowOnly(EgressPolicy.DEFAULT_HOSTS).plus(extra);
        } else if (mode.equals(EgressMode.NETWORK_SETTINGS_ONLY)) {
            wanted = EgressPolicy.allowOnly(extra);
        } else {
            throw new ValidationException("unknown egressMode; one of allow_all, parent_plus_network_settings,"
                    + " default_with_network_settings, network_settings_only");
        }
        return wanted.narrow(maximum);
    }
}
