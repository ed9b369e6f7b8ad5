package dev.nightshift.core.internal;

import dev.nightshift.api.EnvironmentUnavailableException;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds an SPI implementation the way ARCHITECTURE.md says: (an explicit setting is the caller's
 * business), then a class named by a system property or an environment variable, then
 * {@link ServiceLoader}. A named class that cannot be made is an error, never silently skipped.
 */
public final class Spi {
    private Spi() {
    }

    /**
     * @param property system property naming an implementation class (e.g. {@code nightshift.runtime})
     * @param variable environment variable naming one (e.g. {@code NIGHTSHIFT_RUNTIME})
     * @param tried receives what was looked at, for the caller's error message
     */
    public static <T> Optional<T> find(Class<T> type, String property, String variable, List<String> tried) {
        String named = System.getProperty(property, System.getenv(variable));
        if (named != null && !named.isBlank()) {
            try {
                return Optional.of(type.cast(Class.forName(named.strip()).getDeclaredConstructor().newInstance()));
            } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                throw new EnvironmentUnavailableException(property + " / " + variable + " names " + named
                        + ", which is not a usable " + type.getSimpleName() + " (a public class with a public no-argument"
                        + " constructor on the classpath): " + e, e);
            }
        }
        tried.add(property + " / " + variable + ": not set");
        for (ServiceLoader.Provider<T> p : ServiceLoader.load(type).stream().toList()) {
            try {
                return Optional.of(p.get());
            } catch (RuntimeException | LinkageError e) {
                tried.add(p.type().getName() + " (ServiceLoader): " + e.getMessage());
            }
        }
        tried.add("ServiceLoader: no provider of " + type.getName());
        return Optional.empty();
    }
}
