package dev.nightshift.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Shared harness for the benchmark programs: argument parsing ({@code --smoke}), timing with
 * warm-up, medians, and the side-by-side table every benchmark prints.
 *
 * <p><b>Thread-safety:</b> not thread-safe; one per benchmark run. <b>Lifecycle:</b> a benchmark
 * creates one in {@code main}, adds rows, then calls {@link #print()}.
 */
public final class Bench {
    private final String title;
    private final boolean smoke;
    private final List<String[]> rows = new ArrayList<>();

    private Bench(String title, boolean smoke) {
        this.title = title;
        this.smoke = smoke;
    }

    /** Reads {@code --smoke} from the program arguments. */
    public static Bench of(String title, String[] args) {
        return new Bench(title, Arrays.asList(args).contains("--smoke"));
    }

    /** Whether this is CI's tiny once-through run. */
    public boolean smoke() {
        return smoke;
    }

    /** {@code full} normally, {@code tiny} in smoke mode. */
    public int size(int full, int tiny) {
        return smoke ? tiny : full;
    }

    /**
     * Runs {@code warmup} untimed then {@code runs} timed calls of {@code task}, returning the
     * median in nanoseconds. {@code task} returns a value that is folded into a sink so the JIT
     * cannot drop the work.
     */
    public long medianNanos(int warmup, int runs, LongSupplier task) {
        long sink = 0;
        for (int i = 0; i < warmup; i++) {
            sink += task.getAsLong();
        }
        long[] times = new long[Math.max(1, runs)];
        for (int i = 0; i < times.length; i++) {
            long t0 = System.nanoTime();
            sink += task.getAsLong();
            times[i] = System.nanoTime() - t0;
        }
        if (sink == 42) {
            System.out.print("");
        }
        Arrays.sort(times);
        return times[times.length / 2];
    }

    /**
     * Adds a row without a verdict: what was measured, our figure, the comparison's figure, and a
     * target that is not judged (use {@code "-"} when there is none). Prefer
     * {@link #row(String, String, String, String, boolean)} whenever a target exists.
     */
    public Bench row(String what, String ours, String theirs, String target) {
        rows.add(new String[] {what, ours, theirs, target, target.isBlank() || "-".equals(target) ? "-" : "not judged"});
        return this;
    }

    /** Adds a row whose target is judged: {@code holds} says whether the figure meets it. */
    public Bench row(String what, String ours, String theirs, String target, boolean holds) {
        rows.add(new String[] {what, ours, theirs, target, holds ? "holds" : "misses"});
        return this;
    }

    /** Prints the table, with a verdict column and a closing line counting the targets that hold and miss. */
    public void print() {
        String[] head = {"measure", "nightshift", "baseline", "target", "verdict"};
        int[] w = new int[head.length];
        for (int i = 0; i < head.length; i++) {
            w[i] = head[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        System.out.println(title + (smoke ? " (smoke size: numbers not meaningful)" : ""));
        String fmt = "  %-" + w[0] + "s  %" + w[1] + "s  %" + w[2] + "s  %-" + w[3] + "s  %s%n";
        System.out.printf(Locale.ROOT, fmt, (Object[]) head);
        int hold = 0;
        int miss = 0;
        for (String[] r : rows) {
            System.out.printf(Locale.ROOT, fmt, (Object[]) r);
            hold += "holds".equals(r[4]) ? 1 : 0;
            miss += "misses".equals(r[4]) ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "  targets: %d hold, %d miss%s%n", hold, miss,
                smoke ? " (smoke size: verdicts not meaningful)" : "");
    }

    public static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    public static String mbPerSecond(long bytes, long nanos) {
        return String.format(Locale.ROOT, "%.0f MB/s", bytes / 1e6 / (nanos / 1e9));
    }
}
