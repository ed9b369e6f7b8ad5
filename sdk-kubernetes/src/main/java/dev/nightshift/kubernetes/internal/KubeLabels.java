package dev.nightshift.kubernetes.internal;

import dev.nightshift.api.runtime.SnapshotInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Nightshift's labels on cluster objects. Kubernetes label values are at most 63 characters of
 * {@code [A-Za-z0-9_.-]}; Nightshift's are free text (ISO instants, agent names), so the full map
 * is kept in the annotation {@value #LABELS} and only the valid ones are also Kubernetes labels,
 * which selectors use; a lookup filters the rest on the annotation.
 *
 * <p>Thread-safety: stateless. Lifecycle: static.
 */
final class KubeLabels {
    static final String MANAGED = "dev.nightshift.managed";
    static final String MACHINE = "dev.nightshift.machine";
    static final String OWNER_HOST = "dev.nightshift.owner.host";
    static final String SNAPSHOT = SnapshotInfo.LABEL_ID;
    static final String SNAPSHOT_SOURCE = SnapshotInfo.LABEL_SOURCE;
    static final String SNAPSHOT_CREATED = SnapshotInfo.LABEL_CREATED;
    /** Annotation: every Nightshift label as a JSON object. */
    static final String LABELS = "nightshift.dev/labels";
    static final String USER = "nightshift.dev/user";
    static final String WORKDIR = "nightshift.dev/workdir";
    static final String IMAGE = "nightshift.dev/image";
    static final String PORTS = "nightshift.dev/ports";

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private KubeLabels() {
    }

    static boolean validKey(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !PREFIX.matcher(prefix).matches()) {
                return false;
            }
        }
        return name.length() <= 63 && NAME.matcher(name).matches();
    }

    static boolean validValue(String value) {
        return value.isEmpty() || (value.length() <= 63 && NAME.matcher(value).matches());
    }

    /** The entries of {@code labels} that are valid Kubernetes labels. */
    static Map<String, String> kubernetes(Map<String, String> labels) {
        Map<String, String> out = new LinkedHashMap<>();
        labels.forEach((k, v) -> {
            if (validKey(k) && validValue(v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    static String json(Map<String, String> labels) {
        return JSON.asJson(new LinkedHashMap<>(labels));
    }

    /** Nightshift's labels of {@code object}: the annotation, else its Kubernetes labels. */
    @SuppressWarnings("unchecked")
    static Map<String, String> of(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        String json = annotations == null ? null : annotations.get(LABELS);
        if (json != null) {
            return Map.copyOf(JSON.unmarshal(json, Map.class));
        }
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? Map.of() : Map.copyOf(labels);
    }

    static boolean matches(HasMetadata object, Map<String, String> wanted) {
        Map<String, String> have = of(object);
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())));
    }

    static String annotation(HasMetadata object, String key) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
