package dev.nightshift.git.archfixture;

import dev.nightshift.core.internal.Json;
import dev.nightshift.secrets.Redactor;
import dev.nightshift.spec.DirectoryTree;
import java.nio.file.Path;

/**
 * A fixture, never shipped: git code that reaches up into sdk-spec, into sdk-secrets and into
 * sdk-core's internal package. {@code ArchitectureTest} must reject every one of these arrows.
 */
final class WrongWay {
    Object tree() {
        return DirectoryTree.of(Path.of("."));
    }

    String redacted(String text) {
        return Redactor.none().redact(text);
    }

    Class<?> internal() {
        return Json.class;
    }
}
