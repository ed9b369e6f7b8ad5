package dev.nightshift.server.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ids of agents archived through the v1 API, kept in one small JSON file beside the API keys
 * (archiving hides an agent from lists; it changes nothing in the engine).
 *
 * <p>Thread-safety: thread-safe. Lifecycle: lives with the server.
 */
final class Archive {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private Set<String> ids;

    Archive(Path file) {
        this.file = file;
    }

    synchronized boolean contains(String id) {
        return load().contains(id);
    }

    synchronized void add(String id) {
        if (load().add(id)) {
            save();
        }
    }

    synchronized void remove(String id) {
        if (load().remove(id)) {
            save();
        }
    }

    private Set<String> load() {
        if (ids == null) {
            try {
                ids = new TreeSet<>(JSON.readValue(Files.readAllBytes(file), new TypeReference<Set<String>>() { }));
            } catch (NoSuchFileException e) {
                ids = new TreeSet<>();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return ids;
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".archived", ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(ids));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
