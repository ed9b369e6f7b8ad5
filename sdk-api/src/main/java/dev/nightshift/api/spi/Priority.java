package dev.nightshift.api.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The rank of an SPI implementation found through {@link java.util.ServiceLoader}: when several
 * are on the classpath, the highest value wins (an implementation without the annotation ranks
 * 0). Two candidates at the top with the same rank are an error that lists every candidate:
 * choose one explicitly (the engine's builder, or the SPI's system property / environment
 * variable). Read from the class, so candidates that lose are never instantiated.
 *
 * <p><b>Thread-safety:</b> an annotation, immutable. <b>Lifecycle:</b> read once at discovery.
 *
 * <pre>{@code
 * @Priority(10)
 * public final class VaultSecretProvider implements SecretProvider { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Priority {
    /** Higher wins; 0 when absent. */
    int value();
}
