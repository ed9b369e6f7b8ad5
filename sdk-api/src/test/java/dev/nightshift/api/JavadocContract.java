package dev.nightshift.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The documentation rule for public API types: the Javadoc right before each public top-level
 * type declares its thread-safety ({@code Thread-safety:}) and lifecycle ({@code Lifecycle:}).
 * Nested public types (builders, event records) are covered by their enclosing type's doc and,
 * where they have state of their own, by their own.
 */
public final class JavadocContract {
    private static final Pattern TYPE = Pattern.compile(
            "(?m)^public\\s+(?:(?:abstract|final|sealed|non-sealed|static)\\s+)*(?:class|interface|record|enum|@interface)\\s+(\\w+)");

    private JavadocContract() {
    }

    /** One line per public top-level type whose Javadoc lacks a marker. */
    public static List<String> violations(Path sourceRoot) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")
                    && !p.getFileName().toString().equals("package-info.java")).sorted().toList()) {
                out.addAll(check(sourceRoot.relativize(file).toString(), Files.readString(file, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static List<String> check(String name, String source) {
        Matcher m = TYPE.matcher(source);
        if (!m.find()) {
            return List.of();
        }
        String before = source.substring(0, m.start());
        // skip annotations between the doc comment and the declaration
        String trimmed = before.replaceAll("(?s)(\\s*@\\w+(\\([^)]*\\))?)*\\s*$", "");
        int end = trimmed.lastIndexOf("*/");
        int start = trimmed.lastIndexOf("/**");
        List<String> out = new ArrayList<>();
        if (end < 0 || start < 0 || end < start || !trimmed.substring(end + 2).isBlank()) {
            out.add(name + ": public type " + m.group(1) + " has no Javadoc");
            return out;
        }
        String doc = trimmed.substring(start, end);
        for (String marker : List.of("Thread-safety:", "Lifecycle:")) {
            if (!doc.contains(marker)) {
                out.add(name + ": Javadoc of " + m.group(1) + " lacks '" + marker + "'");
            }
        }
        return out;
    }
}
