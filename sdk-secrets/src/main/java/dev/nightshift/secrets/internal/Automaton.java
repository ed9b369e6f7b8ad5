package dev.nightshift.secrets.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Aho-Corasick over UTF-16 chars: finds every occurrence of any of a set of patterns in one pass.
 * Chars that occur in no pattern share one input class, so the transition table stays small; when
 * {@code states x classes} is small enough the automaton is a full DFA (one array read per char),
 * otherwise it keeps sparse goto edges and follows failure links.
 *
 * <p>Immutable and thread-safe once built.
 */
final class Automaton {
    /** Above this many table cells (4 bytes each) the sparse form is used. */
    static final int DENSE_LIMIT = 1 << 22;

    private final char[] classOf = new char[65536];
    private final int classes;
    private final int states;
    /** Length of the longest pattern that ends in each state (0: none). */
    private final int[] longest;
    /** Depth of each state in the trie: how many of the last chars read may begin a match. */
    private final int[] depthOf;
    /** Labels of the patterns ending exactly at each state (null: none). */
    private final int[][] ownLabels;
    private final int[] fail;
    private final int maxLength;
    private final int patternCount;
    // dense form
    private final int[] delta;
    // sparse form: edges of state s are edgeClass/edgeTarget[edgeStart[s] .. edgeStart[s+1])
    private final int[] rootRow;
    private final int[] edgeStart;
    private final char[] edgeClass;
    private final int[] edgeTarget;

    /** Builds the automaton; {@code labels[i]} names {@code patterns[i]}. Empty patterns are ignored. */
    Automaton(List<String> patterns, int[] labels, Boolean forceDense) {
        // input classes: 0 for chars in no pattern
        int next = 1;
        for (String p : patterns) {
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (classOf[c] == 0) {
                    classOf[c] = (char) next++;
                }
            }
        }
        classes = next;
        // trie
        List<Map<Character, Integer>> children = new ArrayList<>();
        List<Integer> depth = new ArrayList<>();
        List<Set<Integer>> labelSets = new ArrayList<>();
        children.add(new HashMap<>());
        depth.add(0);
        labelSets.add(null);
        int max = 0;
        int count = 0;
        for (int pi = 0; pi < patterns.size(); pi++) {
            String p = patterns.get(pi);
            if (p.isEmpty()) {
                continue;
            }
            count++;
            max = Math.max(max, p.length());
            int s = 0;
            for (int i = 0; i < p.length(); i++) {
                char cls = classOf[p.charAt(i)];
                Integer t = children.get(s).get(cls);
                if (t == null) {
                    t = children.size();
                    children.add(new HashMap<>());
                    depth.add(depth.get(s) + 1);
                    labelSets.add(null);
                    children.get(s).put(cls, t);
                }
                s = t;
            }
            if (labelSets.get(s) == null) {
                labelSets.set(s, new LinkedHashSet<>());
            }
            labelSets.get(s).add(labels[pi]);
        }
        maxLength = max;
        patternCount = count;
        states = children.size();
        longest = new int[states];
        depthOf = new int[states];
        for (int s = 0; s < states; s++) {
            depthOf[s] = depth.get(s);
        }
        ownLabels = new int[states][];
        fail = new int[states];
        for (int s = 0; s < states; s++) {
            if (labelSets.get(s) != null) {
                longest[s] = depth.get(s);
                ownLabels[s] = labelSets.get(s).stream().mapToInt(Integer::intValue).toArray();
            }
        }
        // breadth-first: failure links and inherited outputs
        int[] order = new int[states];
        int head = 0;
        int tail = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int t : children.get(0).values()) {
            fail[t] = 0;
            queue.add(t);
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            order[tail++] = s;
            longest[s] = Math.max(longest[s], longest[fail[s]]);
            for (Map.Entry<Character, Integer> e : children.get(s).entrySet()) {
                int t = e.getValue();
                int f = fail[s];
                while (f != 0 && !children.get(f).containsKey(e.getKey())) {
                    f = fail[f];
                }
                Integer g = children.get(f).get(e.getKey());
                fail[t] = g != null && g != t ? g : 0;
                queue.add(t);
            }
        }
        boolean dense = forceDense != null ? forceDense : (long) states * classes <= DENSE_LIMIT;
        rootRow = new int[classes];
        for (Map.Entry<Character, Integer> e : children.get(0).entrySet()) {
            rootRow[e.getKey()] = e.getValue();
        }
        if (dense) {
            int[] d = new int[states * classes];
            System.arraycopy(rootRow, 0, d, 0, classes);
            for (int i = 0; i < tail; i++) {
                int s = order[i];
                System.arraycopy(d, fail[s] * classes, d, s * classes, classes);
                for (Map.Entry<Character, Integer> e : children.get(s).entrySet()) {
                    d[s * classes + e.getKey()] = e.getValue();
                }
            }
            // premultiplied row offsets; ~offset where a pattern ends, so the hot loop tests the sign only
            for (int i = 0; i < d.length; i++) {
                int t = d[i];
                d[i] = longest[t] != 0 ? ~(t * classes) : t * classes;
            }
            delta = d;
            edgeStart = null;
            edgeClass = null;
            edgeTarget = null;
        } else {
            delta = null;
            edgeStart = new int[states + 1];
            int edges = 0;
            for (int s = 0; s < states; s++) {
                edgeStart[s] = edges;
                edges += children.get(s).size();
            }
            edgeStart[states] = edges;
            edgeClass = new char[edges];
            edgeTarget = new int[edges];
            for (int s = 0; s < states; s++) {
                int at = edgeStart[s];
                List<Map.Entry<Character, Integer>> es = new ArrayList<>(children.get(s).entrySet());
                es.sort(Map.Entry.comparingByKey());
                for (Map.Entry<Character, Integer> e : es) {
                    edgeClass[at] = e.getKey();
                    edgeTarget[at++] = e.getValue();
                }
            }
        }
    }

    int maxLength() {
        return maxLength;
    }

    int patternCount() {
        return patternCount;
    }

    boolean isDense() {
        return delta != null;
    }

    /** The state after reading {@code c} in state {@code s}. */
    int step(int s, char c) {
        int cls = classOf[c];
        if (delta != null) {
            int x = delta[s * classes + cls];
            return (x < 0 ? ~x : x) / classes;
        }
        if (cls == 0) {
            return 0;
        }
        while (s != 0) {
            int lo = edgeStart[s];
            int hi = edgeStart[s + 1] - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                char m = edgeClass[mid];
                if (m < cls) {
                    lo = mid + 1;
                } else if (m > cls) {
                    hi = mid - 1;
                } else {
                    return edgeTarget[mid];
                }
            }
            s = fail[s];
        }
        return rootRow[cls];
    }

    /**
     * How many of the last chars read may be the beginning of a match still to come, in a state
     * as {@link #scan} returns it: no match can start before them.
     */
    int pendingDepth(int scanState) {
        return depthOf[delta != null ? scanState / classes : scanState];
    }

    /** Length of the longest pattern ending when the automaton is in state {@code s}, 0 if none. */
    int matchLength(int s) {
        return longest[s];
    }

    /** Adds the labels of every pattern that ends in state {@code s} to {@code into}. */
    void labels(int s, BitSet into) {
        for (int f = s; f != 0; f = fail[f]) {
            if (ownLabels[f] != null) {
                for (int l : ownLabels[f]) {
                    into.set(l);
                }
            }
        }
    }

    /**
     * The matches in {@code text[from, end)} (positions relative to {@code from}), merged where
     * they overlap or touch, as pairs {@code start, end} in {@code outRef[0][0..2n)}; returns
     * {@code n}. {@code outRef[0]} grows as needed.
     */
    int intervals(char[] text, int from, int end, int[][] outRef) {
        int n = 0;
        if (delta != null) {
            final int[] d = delta;
            final char[] cm = classOf;
            final int k = classes;
            int x = 0;
            for (int i = from; i < end; i++) {
                x = d[x + cm[text[i]]];
                if (x < 0) {
                    x = ~x;
                    int len = longest[x / k];
                    n = add(outRef, n, i + 1 - from - len, i + 1 - from);
                }
            }
        } else {
            int s = 0;
            for (int i = from; i < end; i++) {
                s = step(s, text[i]);
                int len = longest[s];
                if (len != 0) {
                    n = add(outRef, n, i + 1 - from - len, i + 1 - from);
                }
            }
        }
        return n;
    }

    /**
     * Continues a scan over {@code text[from, end)} from {@code state} (0 at the start of a stream,
     * else what the previous call returned), adding the matches (positions in {@code text}'s own
     * coordinates) to the {@code count[0]} merged intervals already in {@code outRef[0]}, as
     * {@link #intervals} does; updates {@code count[0]} and returns the state to continue from.
     * A match may start before {@code from}: it began in text an earlier call read.
     */
    int scan(char[] text, int from, int end, int state, int[][] outRef, int[] count) {
        int n = count[0];
        if (delta != null) {
            final int[] d = delta;
            final char[] cm = classOf;
            final int k = classes;
            int x = state;
            for (int i = from; i < end; i++) {
                x = d[x + cm[text[i]]];
                if (x < 0) {
                    x = ~x;
                    n = add(outRef, n, i + 1 - longest[x / k], i + 1);
                }
            }
            count[0] = n;
            return x;
        }
        int s = state;
        for (int i = from; i < end; i++) {
            s = step(s, text[i]);
            int len = longest[s];
            if (len != 0) {
                n = add(outRef, n, i + 1 - len, i + 1);
            }
        }
        count[0] = n;
        return s;
    }

    /** {@link #scan(char[], int, int, int, int[][], int[])} over bytes (each byte as the char of the same value). */
    int scan(byte[] text, int from, int end, int state, int[][] outRef, int[] count) {
        int n = count[0];
        if (delta != null) {
            final int[] d = delta;
            final char[] cm = classOf;
            final int k = classes;
            int x = state;
            for (int i = from; i < end; i++) {
                x = d[x + cm[text[i] & 0xff]];
                if (x < 0) {
                    x = ~x;
                    n = add(outRef, n, i + 1 - longest[x / k], i + 1);
                }
            }
            count[0] = n;
            return x;
        }
        int s = state;
        for (int i = from; i < end; i++) {
            s = step(s, (char) (text[i] & 0xff));
            int len = longest[s];
            if (len != 0) {
                n = add(outRef, n, i + 1 - len, i + 1);
            }
        }
        count[0] = n;
        return s;
    }

    private static int add(int[][] ref, int n, int start, int end) {
        int[] out = ref[0];
        while (n > 0 && start <= out[2 * n - 1]) {
            start = Math.min(start, out[2 * n - 2]);
            n--;
        }
        if (2 * n + 2 > out.length) {
            out = Arrays.copyOf(out, out.length * 2);
            ref[0] = out;
        }
        out[2 * n] = start;
        out[2 * n + 1] = end;
        return n + 1;
    }

    /** Whether any pattern occurs in {@code text}. */
    boolean matches(CharSequence text) {
        if (delta != null) {
            int x = 0;
            for (int i = 0, n = text.length(); i < n; i++) {
                x = delta[x + classOf[text.charAt(i)]];
                if (x < 0) {
                    return true;
                }
            }
            return false;
        }
        int s = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            s = step(s, text.charAt(i));
            if (longest[s] != 0) {
                return true;
            }
        }
        return false;
    }
}
