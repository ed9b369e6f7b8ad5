package dev.nightshift.api.runtime;

/**
 * CPU, memory and process limits of a machine.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * ResourceLimits limits = ResourceLimits.DEFAULT.withMemoryBytes(2L << 30);
 * }</pre>
 *
 * @param cpus CPUs the machine may use (fractional allowed), &gt; 0
 * @param memoryBytes memory limit in bytes, &gt; 0 (swap is not granted on top)
 * @param pids maximum number of processes, &gt; 0
 */
public record ResourceLimits(double cpus, long memoryBytes, long pids) {
    /** 2 CPUs, 4 GiB, 4096 processes: a runtime's default unless it is configured with another. */
    public static final ResourceLimits DEFAULT = new ResourceLimits(2.0, 4L << 30, 4096);

    public ResourceLimits {
        if (!(cpus > 0) || memoryBytes <= 0 || pids <= 0) {
            throw new IllegalArgumentException("limits must be positive: cpus=" + cpus
                    + " memoryBytes=" + memoryBytes + " pids=" + pids);
        }
    }

    public ResourceLimits withCpus(double value) {
        return new ResourceLimits(value, memoryBytes, pids);
    }

    public ResourceLimits withMemoryBytes(long value) {
        return new ResourceLimits(cpus, value, pids);
    }

    public ResourceLimits withPids(long value) {
        return new ResourceLimits(cpus, memoryBytes, value);
    }
}
