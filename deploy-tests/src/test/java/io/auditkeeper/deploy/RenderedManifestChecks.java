package io.auditkeeper.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.deploy.Yaml.Document;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks every set of Kubernetes manifests of Audit Keeper passes, whichever tool rendered it (the Kustomize base
 * and overlays, the Helm chart with any values): the hardening rules of {@link ManifestPolicy}, the services'
 * {@code AUDITKEEPER_*} settings, and Secrets that are referenced, documented and never created. One place, so that
 * a rule added for one way of deploying holds for the other.
 */
final class RenderedManifestChecks {
    private RenderedManifestChecks() {
    }

    /** Every broken rule of {@code docs}, each naming the resource. */
    static List<String> problems(ManifestPolicy policy, List<Document> docs) {
        List<String> problems = new ArrayList<>(policy.check(docs));
        for (Document d : docs) {
            problems.addAll(envProblems(d));
        }
        String guide = KubernetesManifestsTest.read(Repo.ROOT.resolve("docs/deploy.md"));
        for (String name : referencedSecrets(docs)) {
            if (!guide.contains(name)) {
                problems.add("Secret " + name + " is referenced but docs/deploy.md does not list it");
            }
        }
        return problems;
    }

    /** The {@code AUDITKEEPER_*} variables of a workload's containers that its service would refuse. */
    static List<String> envProblems(Document d) {
        List<String> problems = new ArrayList<>();
        if (!ManifestPolicy.WORKLOADS.contains(d.kind())) {
            return problems;
        }
        for (JsonNode c : d.node().path("spec").path("template").path("spec").path("containers")) {
            Map<String, String> env = new LinkedHashMap<>();
            for (JsonNode e : c.path("env")) {
                env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : ServiceSettings.FROM_SECRET);
            }
            ServiceSettings.Service service = ServiceSettings.byPrefixOf(env);
            if (service == null) {
                problems.add(d.label() + ": container " + c.path("name").asText() + " sets no AUDITKEEPER_* variable");
                continue;
            }
            problems.addAll(ServiceSettings.problems(d.label() + " container " + c.path("name").asText(), service, env));
        }
        return problems;
    }

    /** The Secrets the workloads mount or read a key of. */
    static Set<String> referencedSecrets(List<Document> docs) {
        Set<String> referenced = new TreeSet<>();
        for (Document d : docs) {
            JsonNode spec = d.node().path("spec").path("template").path("spec");
            for (JsonNode vol : spec.path("volumes")) {
                if (vol.has("secret")) {
                    referenced.add(vol.path("secret").path("secretName").asText());
                }
            }
            for (JsonNode c : spec.path("containers")) {
                for (JsonNode e : c.path("env")) {
                    JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                    if (!ref.isMissingNode()) {
                        referenced.add(ref.path("name").asText());
                    }
                }
            }
        }
        return referenced;
    }
}
