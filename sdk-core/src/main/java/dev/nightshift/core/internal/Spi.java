package dev.nightshift.core.internal;

import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.spi.Priority;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds an SPI implementation the way ARCHITECTURE.md says: (an explicit setting is the caller's
 * business), then a class named by a system property or an environment variable, then
 * {@link ServiceLoader} sorted by {@link Priority} (highest first; 0 without the annotation). A
 * named class that cannot be made, two candidates at the top with the same priority, or a
 * chosen candidate that cannot be made fail fast with every candidate listed; nothing is
 * silently skipped.
 *
 * <p>Thread-safety: stateless. Lifecycle: static.
 */
public final class Spi {
    private Spi() {
    }

    /**
     * @param property system property naming an implementation class (e.g. {@code nightshift.runtime})
     * @param variable environment variable naming one (e.g. {@code NIGHTSHIFT_RUNTIME})
     * @param tried receives what was looked at, for the caller's message when nothing is found
     * @return the implementation, or empty when nothing is named and no provider is registered
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
        List<ServiceLoader.Provider<T>> candidates;
        try {
            candidates = ServiceLoader.load(type).stream()
                    .sorted(Comparator.comparingInt((ServiceLoader.Provider<T> p) -> priority(p)).reversed())
                    .toList();
        } catch (java.util.ServiceConfigurationError e) {
            throw new EnvironmentUnavailableException("the ServiceLoader registrations of " + type.getName()
                    + " are broken: " + e.getMessage(), e);
        }
        if (candidates.isEmpty()) {
            tried.add("ServiceLoader: no provider of " + type.getName());
            return Optional.empty();
        }
        ServiceLoader.Provider<T> top = candidates.get(0);
        if (candidates.size() > 1 && priority(candidates.get(1)) == priority(top)) {
            throw new EnvironmentUnavailableException("more than one " + type.getSimpleName() + " at priority "
                    + priority(top) + " was found through ServiceLoader: " + describe(candidates)
                    + "; choose one with the engine's builder, " + property + " or " + variable
                    + ", or give one a higher @Priority");
        }
        try {
            return Optional.of(top.get());
        } catch (RuntimeException | java.util.ServiceConfigurationError | LinkageError e) {
            throw new EnvironmentUnavailableException("the " + type.getSimpleName() + " " + top.type().getName()
                    + " (ServiceLoader, priority " + priority(top) + ") cannot be made: " + rootCause(e)
                    + "; candidates: " + describe(candidates), e);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    private static int priority(ServiceLoader.Provider<?> p) {
        Priority rank = p.type().getAnnotation(Priority.class);
        return rank == null ? 0 : rank.value();
    }

    private static String describe(List<? extends ServiceLoader.Provider<?>> candidates) {
        return candidates.stream().map(p -> p.type().getName() + " (priority " + priority(p) + ")")
                .collect(Collectors.joining(", "));
    }
}
