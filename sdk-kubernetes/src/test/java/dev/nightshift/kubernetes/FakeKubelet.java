package dev.nightshift.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

/**
 * What the mock API server lacks of a node: a pod that is created is marked {@code Running}
 * (or, for an image named {@code *:unpullable}, left waiting in {@code ErrImagePull}), as a
 * kubelet would report. The only stand-in for the cluster besides the mock itself.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: watches from construction until {@link #close()}.
 */
public final class FakeKubelet implements AutoCloseable {
    private final Watch watch;

    public FakeKubelet(KubernetesClient client, String namespace) {
        watch = client.pods().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (action != Action.ADDED || pod.getStatus() != null && pod.getStatus().getPhase() != null) {
                    return;
                }
                boolean unpullable = pod.getSpec().getContainers().get(0).getImage().endsWith(":unpullable");
                client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).editStatus(p -> {
                    p.setStatus(unpullable
                            ? new PodStatusBuilder().withPhase("Pending").addNewContainerStatus().withName("machine")
                                    .withNewState().withNewWaiting().withReason("ErrImagePull")
                                    .withMessage("pull access denied").endWaiting().endState().endContainerStatus().build()
                            : new PodStatusBuilder().withPhase("Running").build());
                    return p;
                });
            }

            @Override
            public void onClose(WatcherException cause) {
                // the test is over
            }
        });
    }

    @Override
    public void close() {
        watch.close();
    }
}
