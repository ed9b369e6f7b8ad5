package dev.nightshift.kubernetes.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * An {@link ExecTransport} over the pod exec API ({@code pods/exec}, a websocket with stdin,
 * stdout and stderr channels) into the machine's container.
 *
 * <p>Thread-safety: as {@link ExecTransport}. Lifecycle: one per exec server.
 */
final class PodExecTransport implements ExecTransport {
    private final ExecWatch watch;

    private PodExecTransport(ExecWatch watch) {
        this.watch = watch;
    }

    static PodExecTransport open(KubernetesClient client, String namespace, String pod, List<String> command) {
        ExecWatch w = client.pods().inNamespace(namespace).withName(pod).inContainer(Manifests.CONTAINER)
                .redirectingInput().redirectingOutput().redirectingError()
                .exec(command.toArray(String[]::new));
        return new PodExecTransport(w);
    }

    @Override
    public OutputStream stdin() {
        return watch.getInput();
    }

    @Override
    public InputStream stdout() {
        return watch.getOutput();
    }

    @Override
    public InputStream stderr() {
        return watch.getError();
    }

    @Override
    public void close() {
        watch.close();
    }
}
