package dev.nightshift.core.archfixture;

import dev.nightshift.secrets.Redactor;
import dev.nightshift.secrets.internal.Patterns;
import java.util.Map;

/**
 * A fixture, never shipped: core code that uses sdk-secrets' redaction entry point (allowed: the
 * control) and reaches past it into {@code dev.nightshift.secrets.internal} (refused).
 */
final class ReachesIntoSecrets {
    String redacted(String text) {
        return Redactor.of(Map.of("TOKEN", "value-of-the-token")).redact(text);
    }

    String pastTheEntryPoint(String text) {
        return new Patterns(Map.of("TOKEN", "value-of-the-token"), null).redact(text);
    }
}
