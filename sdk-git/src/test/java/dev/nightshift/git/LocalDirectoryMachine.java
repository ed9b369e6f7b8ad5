package dev.nightshift.git;

import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.runtime.Terminals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Stand-in for a machine: runs git in plain local directories on the host (machine paths are
 * host paths), through the same {@link Machine} calls (exec, files) sdk-git uses. It is used
 * where no Docker engine is available; the same tests run against a real Docker machine.
 * The {@code user} of a request is ignored (everything runs as the test's user).
 */
final class LocalDirectoryMachine implements Machine {
    private final String user = System.getProperty("user.name");

    @Override
    public String id() {
        return "local-directory";
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public Map<String, String> labels() {
        return Map.of();
    }

    @Override
    public MachineState state() {
        return MachineState.values()[0];
    }

    @Override
    public ExecHandle exec(ExecRequest request) {
        long t0 = System.nanoTime();
        CompletableFuture<ExecResult> result = CompletableFuture.supplyAsync(() -> {
            try {
                ProcessBuilder pb = new ProcessBuilder(request.command());
                if (request.workdir() != null) {
                    pb.directory(Path.of(request.workdir()).toFile());
                }
                pb.environment().putAll(request.env());
                Path in = null;
                if (request.stdin() != null) {
                    in = Files.createTempFile("stdin", "");
                    Files.write(in, request.stdin());
                    pb.redirectInput(in.toFile());
                } else {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                }
                Process p = pb.start();
                CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
                byte[] out = readAll(p.getInputStream());
                Duration timeout = request.timeout() == null ? Duration.ofMinutes(30) : request.timeout();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    return new ExecResult(-1, ExecResult.Outcome.TIMED_OUT, "", "", 0, 0, Duration.ofNanos(System.nanoTime() - t0));
                }
                byte[] e = err.join();
                if (in != null) {
                    Files.deleteIfExists(in);
                }
                return new ExecResult(p.exitValue(), ExecResult.Outcome.EXITED, new String(out, StandardCharsets.UTF_8),
                        new String(e, StandardCharsets.UTF_8), out.length, e.length, Duration.ofNanos(System.nanoTime() - t0));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        return new ExecHandle() {
            @Override
            public String id() {
                return "local-" + request.command().get(0);
            }

            @Override
            public CompletableFuture<ExecResult> result() {
                return result;
            }

            @Override
            public void cancel() {
                result.cancel(true);
            }
        };
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] readFile(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new NotFoundException("no file " + path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeFile(String path, byte[] content) {
        try {
            Files.createDirectories(Path.of(path).getParent());
            Files.write(Path.of(path), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void copyIn(Path hostPath, String machineDir) {
        try {
            Path dir = Files.createDirectories(Path.of(machineDir));
            Files.copy(hostPath, dir.resolve(hostPath.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void copyOut(String machinePath, Path hostDir) {
        try {
            Path src = Path.of(machinePath);
            Files.copy(src, hostDir.resolve(src.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Terminals terminals() {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<PortMapping> ports() {
        return List.of();
    }

    @Override
    public SnapshotInfo snapshot(Map<String, String> labels) {
        throw new UnsupportedOperationException();
    }

    @Override
    public SnapshotInfo hibernate(Map<String, String> labels) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void stop() {
    }

    @Override
    public void close() {
    }
}
