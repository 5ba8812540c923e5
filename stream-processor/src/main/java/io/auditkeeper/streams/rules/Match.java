package io.auditkeeper.streams.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * One match block of a rule: the AND of the conditions it has, each condition the OR of its values. An absent
 * condition ({@code null}) does not restrict. Rule files spell the fields exactly like the components here.
 *
 * @param verbs           audit verbs ({@code get}, {@code list}, ..., {@code *} for any)
 * @param resources       {@code resource}, {@code resource/subresource}, {@code resource/*} (any subresource of
 *                        it), <code>&#42;/subresource</code> (that subresource of any resource) or {@code *} (any
 *                        resource request)
 * @param apiGroups       API groups, {@code ""} for the core group, {@code *} for any
 * @param responseCodes   HTTP status codes of {@code responseStatus.code}
 * @param decisions       values of the {@code authorization.k8s.io/decision} annotation ({@code allow}, {@code forbid})
 * @param usernames       {@code user.username} of the authenticated caller
 * @param groups          {@code user.groups} of the authenticated caller contains one of these
 * @param impersonated    whether the request carries an {@code impersonatedUser}
 * @param privilegedPod   whether the request object is a pod or pod template with privileged settings
 * @param resourceRequest whether the request is about an API resource (has an {@code objectRef}), not a
 *                        non-resource URL such as {@code /healthz}
 * @param names           {@code objectRef.name}, exact or a glob ({@code *} any run of characters, {@code ?} one)
 * @param requestObject   codes of {@link RequestTrait}s the request object must have one of
 * @param roleRefs        {@code roleRef.name} of a RoleBinding or ClusterRoleBinding request object
 */
public record Match(List<String> verbs,
                    List<String> resources,
                    List<String> apiGroups,
                    List<Integer> responseCodes,
                    List<String> decisions,
                    List<String> usernames,
                    List<String> groups,
                    Boolean impersonated,
                    Boolean privilegedPod,
                    Boolean resourceRequest,
                    List<String> names,
                    List<String> requestObject,
                    List<String> roleRefs) {

    /** The field names of a match block, in the order the docs list them. */
    public static final List<String> FIELDS = List.of("verbs", "resources", "apiGroups", "responseCodes", "decisions",
            "usernames", "groups", "impersonated", "privilegedPod", "resourceRequest", "names", "requestObject",
            "roleRefs");

    public Match {
        verbs = copy(verbs);
        resources = copy(resources);
        apiGroups = copy(apiGroups);
        responseCodes = copy(responseCodes);
        decisions = copy(decisions);
        usernames = copy(usernames);
        groups = copy(groups);
        names = copy(names);
        requestObject = copy(requestObject);
        roleRefs = copy(roleRefs);
    }

    /** How many conditions this block has; a block with none would match everything and is refused. */
    public int conditionCount() {
        int n = 0;
        for (Object o : new Object[]{verbs, resources, apiGroups, responseCodes, decisions, usernames, groups,
                impersonated, privilegedPod, resourceRequest, names, requestObject, roleRefs}) {
            if (o != null) {
                n++;
            }
        }
        return n;
    }

    private static <T> List<T> copy(List<T> values) {
        return values == null ? null : List.copyOf(new ArrayList<>(values));
    }
}
