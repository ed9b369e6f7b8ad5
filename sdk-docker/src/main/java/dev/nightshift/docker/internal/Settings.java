package dev.nightshift.docker.internal;

import com.github.dockerjava.api.command.CreateContainerCmd;
import dev.nightshift.api.runtime.ResourceLimits;
import java.util.function.Consumer;

/**
 * The configuration a {@code DockerRuntime} was built with.
 *
 * <p>Thread-safety: immutable. Lifecycle: a value.
 *
 * @param dockerHost explicit engine address, or {@code null} to discover one
 * @param baseImage the default base image reference
 * @param defaultLimits limits of machines whose spec has none
 * @param allowPrivileged whether specs may ask for a privileged machine
 * @param createContainerCmdModifier last word on every container create
 * @param flattenThreshold layer count above which a snapshot is flattened
 * @param reapOrphans whether machines of dead owners are removed at first start
 * @param removeOnExit whether a shutdown hook removes this process's machines
 * @param execServers whether each machine runs its execs through one long-lived exec server
 * @param execServerIdle how long a server may serve no exec before it is stopped (restarted on demand)
 * @param dockerInDocker whether every machine runs privileged so that it can run its own Docker engine
 * @param egressNetwork the network the egress proxies of restricted machines reach the outside through
 */
public record Settings(String dockerHost, String baseImage, ResourceLimits defaultLimits, boolean allowPrivileged,
        Consumer<CreateContainerCmd> createContainerCmdModifier, int flattenThreshold, boolean reapOrphans,
        boolean removeOnExit, boolean execServers, java.time.Duration execServerIdle,
        boolean dockerInDocker, String egressNetwork) {
}
