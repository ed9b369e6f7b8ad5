package dev.nightshift.api.runtime;

/**
 * Where a machine's port is reachable from the host.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> valid while the machine runs.
 *
 * <pre>{@code
 * PortMapping web = machine.ports().get(0);
 * URI uri = URI.create("http://" + web.hostAddress() + ":" + web.hostPort());
 * }</pre>
 *
 * @param machinePort the port inside the machine
 * @param hostAddress the host address it is published on (loopback)
 * @param hostPort the host port the engine assigned
 */
public record PortMapping(int machinePort, String hostAddress, int hostPort) {
}
