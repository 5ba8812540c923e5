package io.auditkeeper.streams.redact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.streams.rules.PhiNamespaces;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes secret values from a Kubernetes audit event ({@code audit.k8s.io/v1} Event) before it leaves the
 * stream-processor.
 *
 * <p>Why: at the {@code Request} and {@code RequestResponse} levels the kube-apiserver copies request and response
 * bodies into the event as they are. The audit trail of a cluster then becomes a second, unencrypted copy of every
 * Secret written or read, every service-account token issued and every bearer token sent for review, spread over
 * Kafka, the search index and alert payloads. In clusters holding patient data (HIPAA) that copy must not exist, yet
 * the event itself must stay: who touched which Secret, which keys, and when is what an investigation needs. So the
 * values are replaced by {@value #REDACTED}, the keys stay, and {@link #redact} reports the JSON Pointers it replaced.
 *
 * <p>What is replaced, in {@code requestObject} and {@code responseObject}:
 * <ul>
 *   <li>every value under {@code data}, {@code stringData} and {@code binaryData} of any object of kind
 *       {@code Secret} (any apiVersion, any depth: single objects, {@code SecretList} and {@code List} items, rows of
 *       a {@code Table}, watch events, Secrets embedded in other objects such as OpenShift Templates), and the
 *       annotations that repeat its values ({@code kubectl.kubernetes.io/last-applied-configuration},
 *       OpenShift's {@code openshift.io/token-secret.value});</li>
 *   <li>the same for request bodies of an event whose {@code objectRef.resource} is redacted, whatever their shape:
 *       merge, strategic-merge and apply patches by field, JSON patches by operation path, and a body that is
 *       neither a JSON object nor an array (a YAML string) as a whole;</li>
 *   <li>{@code status.token} of a TokenRequest ({@code serviceaccounts/token}) and {@code spec.token} of a
 *       TokenReview;</li>
 *   <li>the same data fields of configured resources, everywhere or only in PHI namespaces (the namespace of the
 *       event's objectRef or of the object itself);</li>
 *   <li>for a redacted resource, the {@code patch.webhook.admission.k8s.io/*} event annotations, which repeat the
 *       values a mutating webhook wrote.</li>
 * </ul>
 * Secrets are redacted whatever the configuration. The redactor fails closed: a value of unexpected shape where a
 * secret belongs is replaced whole, and should the walk ever fail both bodies are replaced. It never throws. The
 * caller must serialize the redacted tree, never the bytes it was parsed from.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SecretRedactor {
    /** The string that replaces every redacted value. */
    public static final String REDACTED = "[REDACTED]";

    private static final String REQUEST_OBJECT = "requestObject";
    private static final String RESPONSE_OBJECT = "responseObject";

    private final RedactionRules rules;

    /**
     * @param resourcesEverywhere      plural resource names ({@code "secrets"}, {@code "configmaps"}) whose data is
     *                                 always redacted; {@code "secrets"} is added if missing
     * @param resourcesInPhiNamespaces plural resource names whose data is redacted in PHI namespaces only
     * @param phi                      the PHI namespaces; {@code null} means none
     */
    public SecretRedactor(Set<String> resourcesEverywhere, Set<String> resourcesInPhiNamespaces, PhiNamespaces phi) {
        this.rules = new RedactionRules(resourcesEverywhere, resourcesInPhiNamespaces, phi);
    }

    /** Secrets everywhere, ConfigMaps in PHI namespaces. */
    public static SecretRedactor defaults(PhiNamespaces phi) {
        return new SecretRedactor(Set.of(RedactionRules.SECRETS), Set.of("configmaps"), phi);
    }

    /** The resources redacted in every namespace, lower case; always contains {@code "secrets"}. */
    public Set<String> resourcesEverywhere() {
        return rules.resourcesEverywhere();
    }

    /** The resources redacted in PHI namespaces only, lower case. */
    public Set<String> resourcesInPhiNamespaces() {
        return rules.resourcesInPhi();
    }

    /**
     * Whether {@link #redact} could replace anything in an event with this objectRef and these bodies, decided on the
     * raw bytes without parsing them, so that the events with nothing to hide (nearly all) are never built into a
     * tree. True when the resource is one whose data is redacted here (the annotations and any body shape may then
     * hold values), or when a body names a kind redacted here; for what is redacted in PHI namespaces only, "here"
     * is the event's namespace or a namespace named in a body. False guarantees that {@link #redact} returns an empty
     * list.
     *
     * An event with neither a body nor a webhook's patch annotation has nowhere a value could be (a Metadata-level
     * secret read, the commonest), whatever its resource.
     *
     * @param namespace    the namespace of the event's objectRef, or null
     * @param webhookPatch whether the event has a mutating webhook's patch annotation ({@link #hasWebhookPatch})
     * @param bodies       the offset and length in {@code bytes} of each body present (requestObject, responseObject)
     */
    public boolean mayRedact(String resource, String subresource, String namespace, boolean webhookPatch, byte[] bytes,
                             int... bodies) {
        if (bodies.length == 0 && !webhookPatch) {
            return false;
        }
        int resourceMask = rules.resourceMask(resource, subresource);
        if ((resourceMask & ~RedactionRules.DATA_IF_PHI) != 0) {
            return true;
        }
        String[] views = new String[bodies.length / 2];
        int kinds = 0;
        for (int i = 0; i < views.length; i++) {
            views[i] = RedactionRules.latin1(bytes, bodies[2 * i], bodies[2 * i + 1]);
            if (RedactionRules.mayEscapeAKey(views[i])) {
                return true;
            }
            kinds |= rules.redactedKindsIn(bytes, bodies[2 * i], views[i]);
        }
        if ((kinds & RedactionRules.KIND_EVERYWHERE) != 0) {
            return true;
        }
        if (resourceMask == 0 && kinds == 0) {
            return false;
        }
        // Data redacted in PHI namespaces only: the walk redacts it when the event's namespace is PHI, or the
        // object's own metadata.namespace is.
        if (rules.phi.contains(namespace)) {
            return true;
        }
        for (int i = 0; i < views.length; i++) {
            if (rules.mayNamePhiNamespace(bytes, bodies[2 * i], views[i])) {
                return true;
            }
        }
        return false;
    }

    /** Whether these annotations hold a mutating webhook's patch, which {@link #redact} redacts like a body. */
    public static boolean hasWebhookPatch(Map<String, String> annotations) {
        if (annotations != null) {
            for (String key : annotations.keySet()) {
                if (key.startsWith(RedactionWalk.WEBHOOK_PATCH_PREFIX)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Redacts {@code event} in place.
     *
     * @return the JSON Pointers (RFC 6901, relative to the event) of the replaced values in document order; an empty
     *         immutable list when nothing was replaced
     */
    public List<String> redact(ObjectNode event) {
        if (event == null) {
            return List.of();
        }
        boolean bodies = !RedactionWalk.isEmpty(event.get(REQUEST_OBJECT))
                || !RedactionWalk.isEmpty(event.get(RESPONSE_OBJECT));
        JsonNode ref = event.get("objectRef");
        String resource = ref == null ? null : RedactionWalk.text(ref.get("resource"));
        if (!bodies && resource == null) {
            return List.of();
        }
        int resourceMask = rules.resourceMask(resource, ref == null ? null : RedactionWalk.text(ref.get("subresource")));
        if (!bodies && ((resourceMask & (RedactionRules.DATA | RedactionRules.DATA_IF_PHI)) == 0
                || !RedactionWalk.hasWebhookPatch(event.get("annotations")))) {
            return List.of();
        }
        RedactionWalk walk = new RedactionWalk(rules, resourceMask, RedactionWalk.text(ref == null ? null : ref.get("namespace")));
        try {
            for (Map.Entry<String, JsonNode> e : event.properties()) {
                switch (e.getKey()) {
                    case REQUEST_OBJECT, RESPONSE_OBJECT -> walk.body(event, e.getKey(), e.getValue());
                    case "annotations" -> walk.eventAnnotations(e.getValue());
                    default -> {
                    }
                }
            }
            return walk.result();
        } catch (RuntimeException | StackOverflowError unexpected) {
            return failClosed(event);
        }
    }

    private static List<String> failClosed(ObjectNode event) {
        List<String> paths = new ArrayList<>(2);
        for (String field : new String[] {REQUEST_OBJECT, RESPONSE_OBJECT}) {
            if (event.has(field)) {
                event.set(field, RedactionWalk.REDACTED_NODE);
                paths.add("/" + field);
            }
        }
        if (event.get("annotations") instanceof ObjectNode annotations) {
            for (Map.Entry<String, JsonNode> e : annotations.properties()) {
                if (e.getKey().startsWith(RedactionWalk.WEBHOOK_PATCH_PREFIX)) {
                    annotations.set(e.getKey(), RedactionWalk.REDACTED_NODE);
                    paths.add("/annotations/" + e.getKey().replace("~", "~0").replace("/", "~1"));
                }
            }
        }
        return List.copyOf(paths);
    }
}
