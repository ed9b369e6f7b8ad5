package dev.nightshift.git;

import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.runtime.Terminals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Delegates to a real machine and keeps a copy of every file copied in and every standard input
 * sent (the ways a bundle travels), to look at the bundles.
 */
final class RecordingMachine implements Machine {
    private final Machine delegate;
    private final Path keep;
    final List<Path> bundles = new ArrayList<>();
    /** The argv of every exec, in order. */
    final List<List<String>> commands = new ArrayList<>();

    RecordingMachine(Machine delegate, Path keep) {
        this.delegate = delegate;
        this.keep = keep;
    }

    @Override
    public void copyIn(Path hostPath, String machineDir) {
        try {
            Files.createDirectories(keep);
            Path copy = keep.resolve(bundles.size() + "-" + hostPath.getFileName());
            Files.copy(hostPath, copy);
            bundles.add(copy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        delegate.copyIn(hostPath, machineDir);
    }

    @Override public String id() { return delegate.id(); }
    @Override public String user() { return delegate.user(); }
    @Override public Map<String, String> labels() { return delegate.labels(); }
    @Override public MachineState state() { return delegate.state(); }
    @Override
    public ExecHandle exec(ExecRequest request) {
        commands.add(request.command());
        byte[] stdin = request.stdin();
        if (stdin != null) {
            try {
                Files.createDirectories(keep);
                Path copy = keep.resolve(bundles.size() + "-stdin");
                Files.write(copy, stdin);
                bundles.add(copy);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return delegate.exec(request);
    }
    @Override public byte[] readFile(String path) { return delegate.readFile(path); }
    @Override public void writeFile(String path, byte[] content) { delegate.writeFile(path, content); }
    @Override public void copyOut(String machinePath, Path hostDir) { delegate.copyOut(machinePath, hostDir); }
    @Override public Terminals terminals() { return delegate.terminals(); }
    @Override public List<PortMapping> ports() { return delegate.ports(); }
    @Override public SnapshotInfo snapshot(Map<String, String> labels) { return delegate.snapshot(labels); }
    @Override public SnapshotInfo hibernate(Map<String, String> labels) { return delegate.hibernate(labels); }
    @Override public void stop() { delegate.stop(); }
    @Override public void close() { }
}
