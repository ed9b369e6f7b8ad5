package dev.nightshift.model.internal;

import java.util.Locale;

/** Finds where a missed {@code old_string} most likely was meant to be, to show the model. */
final class Nearest {
    private Nearest() {
    }

    /** The lines of {@code text} around the line most like the first non-blank line of {@code wanted}, numbered. */
    static String lines(String text, String wanted) {
        String[] lines = text.split("\n", -1);
        String probe = "";
        for (String w : wanted.split("\n")) {
            if (!w.isBlank()) {
                probe = w.strip();
                break;
            }
        }
        int best = 0;
        double bestScore = -1;
        for (int i = 0; i < lines.length; i++) {
            double s = similarity(lines[i].strip(), probe);
            if (s > bestScore) {
                bestScore = s;
                best = i;
            }
        }
        int span = Math.max(3, wanted.split("\n").length + 1);
        StringBuilder b = new StringBuilder();
        for (int i = Math.max(0, best - 2); i < Math.min(lines.length, best + span); i++) {
            b.append(String.format(Locale.ROOT, "%6d\t%s%n", i + 1, lines[i]));
        }
        return b.toString();
    }

    /** Dice coefficient over character bigrams: 1 for equal strings, 0 for nothing in common. */
    static double similarity(String a, String b) {
        if (a.equals(b)) {
            return 1;
        }
        if (a.length() < 2 || b.length() < 2) {
            return 0;
        }
        java.util.Map<String, Integer> grams = new java.util.HashMap<>();
        for (int i = 0; i < a.length() - 1; i++) {
            grams.merge(a.substring(i, i + 2), 1, Integer::sum);
        }
        int common = 0;
        for (int i = 0; i < b.length() - 1; i++) {
            String g = b.substring(i, i + 2);
            Integer n = grams.get(g);
            if (n != null && n > 0) {
                grams.put(g, n - 1);
                common++;
            }
        }
        return 2.0 * common / (a.length() - 1 + b.length() - 1);
    }
}
