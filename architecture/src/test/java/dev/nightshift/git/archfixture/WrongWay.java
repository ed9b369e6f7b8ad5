package dev.nightshift.git.archfixture;

import dev.nightshift.core.internal.Json;
import dev.nightshift.spec.DirectoryTree;
import java.nio.file.Path;

/**
 * A fixture, never shipped: git code that reaches up into sdk-spec and into sdk-core's internal
 * package. {@code ArchitectureTest} must reject both arrows.
 */
final class WrongWay {
    Object tree() {
        return DirectoryTree.of(Path.of("."));
    }

    Class<?> internal() {
        return Json.class;
    }
}
