package io.auditkeeper.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.deploy.Yaml.Document;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The hardening rules every Kubernetes manifest of Audit Keeper must keep (issue 6, the HIPAA-on-Kubernetes
 * checklist). {@link #check} returns one message per broken rule, each naming the resource ({@code Kind name}), the
 * container where there is one, and the rule, so that a failing build says exactly what a change weakened.
 */
public final class ManifestPolicy {
    /** Kinds that run pods. */
    static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod");
    /** Names of settings whose value is a credential: such a value comes from a Secret, never a literal or a ConfigMap. */
    static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(password|passwd|secret|token|access[_.-]?key|private[_.-]?key|jaas|credential|api[_.-]?key).*");
    /** ... unless it names a file or a Secret (a path to a mounted Secret is fine). */
    static final Pattern SECRET_NAME_EXCEPTION = Pattern.compile("(?i).*(_FILE|-file|\\.file|_LOCATION|_TYPE)$");
    private static final Pattern SECRET_VALUE = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----|-----BEGIN CERTIFICATE-----");

    private final Map<String, Boolean> kustomizeImages;
    private final boolean requireNamespace;

    /**
     * @param kustomizeImages image names that a kustomization's {@code images:} rewrites, with whether that rewrite pins
     *                        them (a {@code newTag} other than latest, or a {@code digest}); such a name may appear
     *                        untagged in a base manifest
     */
    public ManifestPolicy(Map<String, Boolean> kustomizeImages) {
        this(kustomizeImages, true);
    }

    private ManifestPolicy(Map<String, Boolean> kustomizeImages, boolean requireNamespace) {
        this.kustomizeImages = Map.copyOf(kustomizeImages);
        this.requireNamespace = requireNamespace;
    }

    /**
     * The same rules for a set installed into a namespace created beforehand ({@code helm install -n}, which needs the
     * namespace before it installs anything): a Namespace in the set must still be restricted, but none is required.
     */
    public ManifestPolicy forExistingNamespace() {
        return new ManifestPolicy(kustomizeImages, false);
    }

    /** Checks each resource on its own and the set as a whole (default deny, the namespace, ingest's availability). */
    public List<String> check(List<Document> docs) {
        List<String> v = new ArrayList<>();
        for (Document d : docs) {
            checkResource(d, v);
        }
        checkSet(docs, v);
        return v;
    }

    private void checkResource(Document d, List<String> v) {
        String kind = d.kind();
        String who = d.label();
        JsonNode n = d.node();
        if (WORKLOADS.contains(kind)) {
            checkPod(who, podSpec(d), v);
        }
        switch (kind) {
            case "ServiceAccount" -> {
                if (!n.path("automountServiceAccountToken").isBoolean() || n.path("automountServiceAccountToken").asBoolean()) {
                    v.add(who + ": automountServiceAccountToken must be false (no service talks to the Kubernetes API)");
                }
            }
            case "ConfigMap" -> {
                for (String field : List.of("data", "binaryData")) {
                    Iterator<Map.Entry<String, JsonNode>> it = n.path(field).fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        if (SECRET_NAME.matcher(e.getKey()).matches() && !SECRET_NAME_EXCEPTION.matcher(e.getKey()).matches()
                                || SECRET_VALUE.matcher(e.getValue().asText()).find() && e.getValue().asText().contains("PRIVATE KEY")) {
                            v.add(who + ": key '" + e.getKey() + "' looks like a credential; credentials belong in a Secret, never a ConfigMap");
                        }
                    }
                }
            }
            case "Secret" -> {
                if (n.has("data") || n.has("stringData")) {
                    v.add(who + ": a Secret with data is committed; Secrets are referenced by name and created from a secret store");
                }
            }
            case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding" ->
                    v.add(who + ": RBAC is not allowed; no Audit Keeper service needs Kubernetes API permissions");
            case "NetworkPolicy" -> checkNetworkPolicy(who, n, v);
            case "Namespace" -> {
                JsonNode labels = n.path("metadata").path("labels");
                if (!"restricted".equals(labels.path("pod-security.kubernetes.io/enforce").asText())) {
                    v.add(who + ": label pod-security.kubernetes.io/enforce must be 'restricted'");
                }
            }
            default -> {
            }
        }
    }

    private static JsonNode podSpec(Document d) {
        JsonNode n = d.node();
        return switch (d.kind()) {
            case "Pod" -> n.path("spec");
            case "CronJob" -> n.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
            default -> n.path("spec").path("template").path("spec");
        };
    }

    private void checkPod(String who, JsonNode spec, List<String> v) {
        if (spec.isMissingNode()) {
            v.add(who + ": no pod spec");
            return;
        }
        if (!spec.path("automountServiceAccountToken").isBoolean() || spec.path("automountServiceAccountToken").asBoolean()) {
            v.add(who + ": automountServiceAccountToken must be false");
        }
        String sa = spec.path("serviceAccountName").asText("");
        if (sa.isEmpty() || sa.equals("default")) {
            v.add(who + ": serviceAccountName must name the service's own ServiceAccount, not 'default'");
        }
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (spec.path(host).asBoolean(false)) {
                v.add(who + ": " + host + " must not be true");
            }
        }
        for (JsonNode vol : spec.path("volumes")) {
            if (vol.has("hostPath")) {
                v.add(who + ": volume " + vol.path("name").asText() + ": hostPath volumes are not allowed");
            }
            if (vol.has("configMap") && SECRET_NAME.matcher(vol.path("configMap").path("name").asText()).matches()) {
                v.add(who + ": volume " + vol.path("name").asText() + ": credentials are mounted from a Secret, never a ConfigMap");
            }
        }
        JsonNode podSc = spec.path("securityContext");
        boolean podNonRoot = podSc.path("runAsNonRoot").asBoolean(false);
        boolean podSeccomp = "RuntimeDefault".equals(podSc.path("seccompProfile").path("type").asText());
        if (!podSc.path("runAsNonRoot").isMissingNode() && !podNonRoot) {
            v.add(who + ": securityContext.runAsNonRoot must be true");
        }
        if (podSc.path("runAsUser").isInt() && podSc.path("runAsUser").asInt() == 0) {
            v.add(who + ": securityContext.runAsUser must not be 0");
        }
        List<JsonNode> containers = new ArrayList<>();
        spec.path("initContainers").forEach(containers::add);
        int initCount = containers.size();
        spec.path("containers").forEach(containers::add);
        if (containers.size() == initCount) {
            v.add(who + ": no containers");
        }
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.get(i);
            boolean init = i < initCount;
            String cw = who + ": container " + c.path("name").asText("?");
            JsonNode sc = c.path("securityContext");
            if (!sc.path("allowPrivilegeEscalation").isBoolean() || sc.path("allowPrivilegeEscalation").asBoolean()) {
                v.add(cw + ": securityContext.allowPrivilegeEscalation must be false");
            }
            if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                v.add(cw + ": securityContext.readOnlyRootFilesystem must be true");
            }
            if (sc.path("privileged").asBoolean(false)) {
                v.add(cw + ": securityContext.privileged must not be true");
            }
            boolean dropsAll = false;
            for (JsonNode cap : sc.path("capabilities").path("drop")) {
                dropsAll |= cap.asText().equals("ALL");
            }
            if (!dropsAll) {
                v.add(cw + ": securityContext.capabilities.drop must contain ALL");
            }
            if (sc.path("capabilities").path("add").size() > 0) {
                v.add(cw + ": securityContext.capabilities.add must be empty");
            }
            boolean nonRoot = sc.path("runAsNonRoot").isBoolean() ? sc.path("runAsNonRoot").asBoolean() : podNonRoot;
            if (!nonRoot) {
                v.add(cw + ": runAsNonRoot must be true (pod or container securityContext)");
            }
            if (sc.path("runAsUser").isInt() && sc.path("runAsUser").asInt() == 0) {
                v.add(cw + ": securityContext.runAsUser must not be 0");
            }
            String seccomp = sc.path("seccompProfile").path("type").asText("");
            if (!(seccomp.equals("RuntimeDefault") || seccomp.isEmpty() && podSeccomp)) {
                v.add(cw + ": seccompProfile.type must be RuntimeDefault (pod or container securityContext)");
            }
            JsonNode res = c.path("resources");
            for (String r : List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")) {
                String[] p = r.split("\\.");
                if (res.path(p[0]).path(p[1]).asText("").isEmpty()) {
                    v.add(cw + ": resources." + r + " must be set");
                }
            }
            checkImage(cw, c.path("image").asText(""), v);
            if (!init) {
                if (c.path("livenessProbe").isMissingNode() || c.path("readinessProbe").isMissingNode()) {
                    v.add(cw + ": livenessProbe and readinessProbe must be set (the admin port's /healthz and /readyz)");
                }
            }
            for (JsonNode e : c.path("env")) {
                String name = e.path("name").asText();
                boolean credential = SECRET_NAME.matcher(name).matches() && !SECRET_NAME_EXCEPTION.matcher(name).matches();
                if (credential && e.has("value")) {
                    v.add(cw + ": env " + name + " is a credential given as a literal value; take it from a Secret (valueFrom.secretKeyRef)");
                }
                if (credential && e.path("valueFrom").has("configMapKeyRef")) {
                    v.add(cw + ": env " + name + " is a credential taken from a ConfigMap; take it from a Secret");
                }
                if (e.has("value") && SECRET_VALUE.matcher(e.path("value").asText()).find()) {
                    v.add(cw + ": env " + name + " holds PEM material; mount it from a Secret");
                }
            }
        }
    }

    private void checkImage(String cw, String image, List<String> v) {
        if (image.isEmpty()) {
            v.add(cw + ": image must be set");
            return;
        }
        if (image.contains("@sha256:")) {
            return;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        String name = colon > slash ? image.substring(0, colon) : image;
        String tag = colon > slash ? image.substring(colon + 1) : "";
        if (tag.isEmpty()) {
            Boolean pinned = kustomizeImages.get(name);
            if (pinned == null) {
                v.add(cw + ": image " + image + " must be pinned (an exact tag or @sha256 digest)");
            } else if (!pinned) {
                v.add(cw + ": image " + image + " is rewritten by kustomize without a pinned tag or digest");
            }
        } else if (tag.equals("latest")) {
            v.add(cw + ": image " + image + " must not use the tag 'latest'");
        }
    }

    private static void checkNetworkPolicy(String who, JsonNode n, List<String> v) {
        JsonNode spec = n.path("spec");
        for (JsonNode rule : spec.path("ingress")) {
            if (!rule.has("from") || rule.path("from").isEmpty()) {
                v.add(who + ": an ingress rule without 'from' admits every source; name the peers");
            }
            if (!rule.has("ports") || rule.path("ports").isEmpty()) {
                v.add(who + ": an ingress rule without 'ports' opens every port; name the ports");
            }
            for (JsonNode peer : rule.path("from")) {
                if ("0.0.0.0/0".equals(peer.path("ipBlock").path("cidr").asText()) || "::/0".equals(peer.path("ipBlock").path("cidr").asText())) {
                    v.add(who + ": an ingress rule admits every address (ipBlock " + peer.path("ipBlock").path("cidr").asText() + ")");
                }
            }
        }
        for (JsonNode rule : spec.path("egress")) {
            if (!rule.has("to") || rule.path("to").isEmpty()) {
                v.add(who + ": an egress rule without 'to' allows every destination; name the peers");
            }
            if (!rule.has("ports") || rule.path("ports").isEmpty()) {
                v.add(who + ": an egress rule without 'ports' opens every port; name the ports");
            }
        }
    }

    private void checkSet(List<Document> docs, List<String> v) {
        boolean defaultDeny = false;
        boolean restrictedNamespace = false;
        boolean dnsEgress = false;
        for (Document d : docs) {
            JsonNode spec = d.node().path("spec");
            if (d.kind().equals("NetworkPolicy") && spec.path("podSelector").isObject() && spec.path("podSelector").isEmpty()) {
                List<String> types = new ArrayList<>();
                spec.path("policyTypes").forEach(t -> types.add(t.asText()));
                if (types.contains("Ingress") && types.contains("Egress")
                        && spec.path("ingress").isEmpty() && spec.path("egress").isEmpty()) {
                    defaultDeny = true;
                }
                for (JsonNode rule : spec.path("egress")) {
                    for (JsonNode port : rule.path("ports")) {
                        dnsEgress |= port.path("port").asInt() == 53;
                    }
                }
            }
            if (d.kind().equals("Namespace")
                    && "restricted".equals(d.node().path("metadata").path("labels").path("pod-security.kubernetes.io/enforce").asText())) {
                restrictedNamespace = true;
            }
        }
        if (!defaultDeny) {
            v.add("NetworkPolicy: a default deny for ingress and egress (podSelector {}, policyTypes [Ingress, Egress], no rules) must be present");
        }
        if (!dnsEgress) {
            v.add("NetworkPolicy: DNS egress (port 53) must be allowed explicitly once egress is denied");
        }
        if (!restrictedNamespace && requireNamespace) {
            v.add("Namespace: a namespace with pod-security.kubernetes.io/enforce=restricted must be present");
        }
        checkAvailability(docs, v);
    }

    /**
     * Every service must survive a node drain and a lost pod: at least two replicas and a PodDisruptionBudget (the
     * archivers and stream-processors fence each other through their consumer groups, see docs/archiver.md), and the
     * webhook an autoscaler too.
     */
    private static void checkAvailability(List<Document> docs, List<String> v) {
        checkAvailability(docs, v, "ingest", true);
        checkAvailability(docs, v, "stream-processor", false);
        checkAvailability(docs, v, "archiver", false);
    }

    private static void checkAvailability(List<Document> docs, List<String> v, String service, boolean autoscaled) {
        Document workload = null;
        for (Document d : docs) {
            if (WORKLOADS.contains(d.kind()) && service.equals(podLabels(d).path("app.kubernetes.io/name").asText())) {
                workload = d;
            }
        }
        if (workload == null) {
            if (service.equals("ingest")) {
                v.add("Deployment: the ingest Deployment (label app.kubernetes.io/name=ingest) must be present");
            }
            return;
        }
        JsonNode replicas = workload.node().path("spec").path("replicas");
        if (replicas.isMissingNode() || replicas.asInt() < 2) {
            v.add(workload.label() + ": " + service + " needs at least 2 replicas");
        }
        boolean pdb = false;
        boolean hpa = false;
        JsonNode labels = podLabels(workload);
        for (Document d : docs) {
            if (d.kind().equals("PodDisruptionBudget") && selects(d.node().path("spec").path("selector").path("matchLabels"), labels)) {
                pdb = true;
            }
            if (d.kind().equals("HorizontalPodAutoscaler")
                    && workload.name().equals(d.node().path("spec").path("scaleTargetRef").path("name").asText())
                    && d.node().path("spec").path("minReplicas").asInt(1) >= 2) {
                hpa = true;
            }
        }
        if (!pdb) {
            v.add(workload.label() + ": " + service + " needs a PodDisruptionBudget that selects its pods");
        }
        if (autoscaled && !hpa) {
            v.add(workload.label() + ": " + service + " needs a HorizontalPodAutoscaler with minReplicas >= 2");
        }
    }

    private static JsonNode podLabels(Document d) {
        return d.node().path("spec").path("template").path("metadata").path("labels");
    }

    private static boolean selects(JsonNode matchLabels, JsonNode labels) {
        if (!matchLabels.isObject() || matchLabels.isEmpty()) {
            return false;
        }
        Iterator<Map.Entry<String, JsonNode>> it = matchLabels.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

}
