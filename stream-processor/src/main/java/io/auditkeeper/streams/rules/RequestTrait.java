package io.auditkeeper.streams.rules;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a request object asks for, beyond its resource and verb, that matters for access to PHI: the values of the
 * {@code requestObject} condition of a match block. The objectRef of an audit event says which Service or ClusterRole
 * was changed, not whether the change exposes a PHI workload or grants exec into its pods; only the request body does.
 * {@link RequestObjects} reads them.
 */
public enum RequestTrait {
    /** A Service of type NodePort: reachable on every node's address, around the ingress. */
    NODE_PORT_SERVICE("nodePortService"),
    /** A Service of type LoadBalancer: reachable from outside the cluster, around the ingress. */
    LOAD_BALANCER_SERVICE("loadBalancerService"),
    /** An Ingress without {@code spec.tls} entries, or a patch that removes them: plain HTTP. */
    INGRESS_WITHOUT_TLS("ingressWithoutTls"),
    /** A Role or ClusterRole labelled to aggregate into {@code view}, {@code edit} or {@code admin}. */
    AGGREGATED_ROLE("aggregatedRole"),
    /** A Role or ClusterRole with a rule that allows {@code create} or {@code get} of pods/exec or pods/attach. */
    GRANTS_POD_EXEC("grantsPodExec"),
    /** A Role or ClusterRole with a rule that allows {@code get}, {@code list} or {@code watch} of secrets. */
    GRANTS_SECRET_READ("grantsSecretRead");

    /** The codes, in declaration order, for messages and docs. */
    public static final List<String> CODES = Stream.of(values()).map(RequestTrait::code).toList();

    private final String code;

    RequestTrait(String code) {
        this.code = code;
    }

    /** The name used in rule files, e.g. {@code nodePortService}. */
    public String code() {
        return code;
    }

    /** The trait named {@code code} (exact case, as rule files spell conditions), or empty. */
    public static Optional<RequestTrait> fromCode(String code) {
        for (RequestTrait t : values()) {
            if (t.code.equals(code)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
