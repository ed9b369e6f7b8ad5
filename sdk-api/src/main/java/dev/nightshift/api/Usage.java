package dev.nightshift.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * What an agent has used: machine seconds by phase (build, install, start, turn, ...), the model
 * tokens its driver reported (input, output, cache reads and writes) and their cost.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; {@link #plus} makes the next one.
 *
 * <pre>{@code
 * Usage u = agent.info().usage();
 * System.out.printf("%.1f machine seconds, %d tokens, $%.4f%n", u.totalMachineSeconds(),
 *         u.inputTokens() + u.outputTokens(), u.cost());
 * }</pre>
 *
 * @param machineSecondsByPhase seconds a machine ran, per phase
 * @param inputTokens model input tokens reported by the driver (cached ones included)
 * @param outputTokens model output tokens reported by the driver
 * @param cacheReadTokens input tokens read from a provider's prompt cache
 * @param cacheWriteTokens input tokens written to a provider's prompt cache
 * @param cost model cost in US dollars, from the driver's price table (0 without one)
 */
public record Usage(Map<String, Double> machineSecondsByPhase, long inputTokens, long outputTokens,
        long cacheReadTokens, long cacheWriteTokens, double cost) {
    public static final Usage NONE = new Usage(Map.of(), 0, 0);

    public Usage {
        machineSecondsByPhase = machineSecondsByPhase == null ? Map.of() : Map.copyOf(machineSecondsByPhase);
        if (inputTokens < 0 || outputTokens < 0 || cacheReadTokens < 0 || cacheWriteTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
        if (cost < 0 || Double.isNaN(cost)) {
            throw new IllegalArgumentException("cost must be >= 0");
        }
    }

    /** Machine seconds and plain token counts, no cache tokens or cost. */
    public Usage(Map<String, Double> machineSecondsByPhase, long inputTokens, long outputTokens) {
        this(machineSecondsByPhase, inputTokens, outputTokens, 0, 0, 0);
    }

    public double totalMachineSeconds() {
        return machineSecondsByPhase.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Input plus output tokens. */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /** This usage plus {@code seconds} in {@code phase}. */
    public Usage plusMachineSeconds(String phase, double seconds) {
        Map<String, Double> m = new TreeMap<>(machineSecondsByPhase);
        m.merge(phase, seconds, Double::sum);
        return new Usage(m, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cost);
    }

    /** This usage plus the given tokens. */
    public Usage plusTokens(long input, long output) {
        return new Usage(machineSecondsByPhase, inputTokens + input, outputTokens + output, cacheReadTokens,
                cacheWriteTokens, cost);
    }

    /** This usage plus one model call's tokens and cost. */
    public Usage plus(TokenUsage call) {
        return new Usage(machineSecondsByPhase, inputTokens + call.inputTokens(), outputTokens + call.outputTokens(),
                cacheReadTokens + call.cacheReadTokens(), cacheWriteTokens + call.cacheWriteTokens(), cost + call.cost());
    }

    /** Sum of both. */
    public Usage plus(Usage other) {
        Map<String, Double> m = new TreeMap<>(machineSecondsByPhase);
        other.machineSecondsByPhase.forEach((k, v) -> m.merge(k, v, Double::sum));
        return new Usage(m, inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cacheReadTokens + other.cacheReadTokens, cacheWriteTokens + other.cacheWriteTokens, cost + other.cost);
    }
}
