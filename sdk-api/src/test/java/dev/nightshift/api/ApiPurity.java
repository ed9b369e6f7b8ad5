package dev.nightshift.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule that keeps sdk-api pure: a compiled class may refer only to types in {@code java.*},
 * {@code org.slf4j.*} and {@code dev.nightshift.api.*}.
 */
final class ApiPurity {
    static final List<String> ALLOWED_PREFIXES = List.of("java.", "org.slf4j.", "dev.nightshift.api.");

    private ApiPurity() {
    }

    /** One line per forbidden reference: {@code Class -> forbidden.Type}. */
    static List<String> violations(List<Path> classFiles) {
        List<String> out = new ArrayList<>();
        for (Path file : classFiles) {
            for (String type : ClassReferences.of(file)) {
                if (ALLOWED_PREFIXES.stream().noneMatch(type::startsWith)) {
                    out.add(file.getFileName() + " -> " + type);
                }
            }
        }
        return out;
    }
}
