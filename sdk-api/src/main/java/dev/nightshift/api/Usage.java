package dev.nightshift.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * What an agent has used: machine seconds by phase (build, install, start, turn, ...) and the
 * tokens its driver reported.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; {@link #plus} makes the next one.
 *
 * <pre>{@code
 * Usage u = agent.info().usage();
 * System.out.printf("%.1f machine seconds, %d tokens%n", u.totalMachineSeconds(), u.inputTokens() + u.outputTokens());
 * }</pre>
 *
 * @param machineSecondsByPhase seconds a machine ran, per phase
 * @param inputTokens model input tokens reported by the driver
 * @param outputTokens model output tokens reported by the driver
 */
public record Usage(Map<String, Double> machineSecondsByPhase, long inputTokens, long outputTokens) {
    public static final Usage NONE = new Usage(Map.of(), 0, 0);

    public Usage {
        machineSecondsByPhase = machineSecondsByPhase == null ? Map.of() : Map.copyOf(machineSecondsByPhase);
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
    }

    public double totalMachineSeconds() {
        return machineSecondsByPhase.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** This usage plus {@code seconds} in {@code phase}. */
    public Usage plusMachineSeconds(String phase, double seconds) {
        Map<String, Double> m = new TreeMap<>(machineSecondsByPhase);
        m.merge(phase, seconds, Double::sum);
        return new Usage(m, inputTokens, outputTokens);
    }

    /** This usage plus the given tokens. */
    public Usage plusTokens(long input, long output) {
        return new Usage(machineSecondsByPhase, inputTokens + input, outputTokens + output);
    }

    /** Sum of both. */
    public Usage plus(Usage other) {
        Map<String, Double> m = new TreeMap<>(machineSecondsByPhase);
        other.machineSecondsByPhase.forEach((k, v) -> m.merge(k, v, Double::sum));
        return new Usage(m, inputTokens + other.inputTokens, outputTokens + other.outputTokens);
    }
}
