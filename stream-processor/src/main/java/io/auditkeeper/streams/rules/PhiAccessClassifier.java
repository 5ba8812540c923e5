package io.auditkeeper.streams.rules;

import io.auditkeeper.model.AuditEvent;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Classifies audit events against a {@link RuleSet}: whether the request is in (or reaches into) a PHI namespace, and
 * which rules match. Runs on every event, so everything that can be is computed once here: sets for every condition,
 * and a cache of the namespaces already seen (the PHI globs are evaluated once per namespace, not once per event).
 * Thread-safe.
 *
 * <p>A request reaches into PHI namespaces when, with at least one PHI namespace configured, it has no namespace and is
 * a {@code list}, {@code watch} or {@code deletecollection} of a namespaced resource (across all namespaces), or it
 * creates, updates or patches a ClusterRoleBinding (which grants in every namespace). A request for a Namespace object
 * is in that namespace. Non-resource URLs are never PHI.
 *
 * <p>A rule of scope {@link Scope#PHI_OR_CLUSTER} also matches requests on cluster-scoped objects (a resource request
 * without a namespace), with at least one PHI namespace configured; such a request keeps {@code phi.namespace} false
 * unless it reaches into PHI namespaces as above.
 */
public final class PhiAccessClassifier {

    /**
     * Cluster-scoped resources: a request without a namespace on one of these does not reach into namespaces. A
     * resource not listed counts as namespaced (a list across all namespaces of an unknown resource reaches PHI),
     * so an unknown cluster-scoped custom resource errs on the side of flagging.
     */
    static final Set<String> CLUSTER_SCOPED = Set.of(
            // Kubernetes
            "nodes", "namespaces", "persistentvolumes", "storageclasses", "clusterroles", "clusterrolebindings",
            "customresourcedefinitions", "apiservices", "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings",
            "mutatingadmissionpolicies", "mutatingadmissionpolicybindings", "priorityclasses", "csidrivers",
            "csinodes", "volumeattachments", "volumeattributesclasses", "ingressclasses", "runtimeclasses",
            "certificatesigningrequests", "clustertrustbundles", "tokenreviews", "subjectaccessreviews",
            "selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews", "flowschemas",
            "prioritylevelconfigurations", "componentstatuses", "podsecuritypolicies", "storageversions",
            "storageversionmigrations", "ipaddresses", "servicecidrs", "deviceclasses", "resourceslices",
            "volumesnapshotclasses", "volumesnapshotcontents",
            // OpenShift
            "clusteroperators", "clusterversions", "proxies", "oauths", "infrastructures", "featuregates", "dnses",
            "apiservers", "consoles", "authentications", "schedulers", "networks", "images", "projects",
            "projectrequests", "clusterresourcequotas", "securitycontextconstraints", "rangeallocations", "users",
            "groups", "identities", "useridentitymappings", "oauthclients", "oauthaccesstokens",
            "oauthauthorizetokens", "useroauthaccesstokens", "kubeapiservers", "kubecontrollermanagers",
            "kubeschedulers", "openshiftapiservers", "openshiftcontrollermanagers", "etcds", "cloudcredentials",
            "machineconfigs", "machineconfigpools", "kubeletconfigs", "containerruntimeconfigs", "operatorhubs",
            "imagecontentsourcepolicies",
            // common add-ons
            "clusterissuers", "clusterpolicies", "clusterpolicyreports", "constrainttemplates");

    /** Verbs that act on a whole collection; without a namespace they act on every namespace. */
    static final Set<String> COLLECTION_VERBS = Set.of("list", "watch", "deletecollection");
    /** Verbs that make a ClusterRoleBinding grant something. */
    static final Set<String> GRANT_VERBS = Set.of("create", "update", "patch");

    static final String DECISION_ANNOTATION = "authorization.k8s.io/decision";
    private static final int NAMESPACE_CACHE_LIMIT = 10_000;

    private final RuleSet ruleSet;
    private final PhiNamespaces phi;
    private final CompiledRule[] rules;
    private final boolean anyPhi;
    private final Map<String, Boolean> namespaceCache = new ConcurrentHashMap<>();

    public PhiAccessClassifier(RuleSet rules, PhiNamespaces phi) {
        this.ruleSet = Objects.requireNonNull(rules, "rules");
        this.phi = Objects.requireNonNull(phi, "phi");
        this.anyPhi = !phi.isEmpty();
        List<Rule> list = rules.rules();
        this.rules = new CompiledRule[list.size()];
        for (int i = 0; i < list.size(); i++) {
            this.rules[i] = new CompiledRule(list.get(i));
        }
    }

    public RuleSet ruleSet() {
        return ruleSet;
    }

    public PhiNamespaces phiNamespaces() {
        return phi;
    }

    /** Classifies one event. Never throws for an event that parsed: absent fields simply do not match. */
    public Classification classify(AuditEvent event) {
        Facts facts = new Facts(event);
        boolean phiNamespace = reachesPhi(event);
        boolean clusterScoped = !phiNamespace && anyPhi && isClusterScoped(event);
        List<Rule> matched = null;
        for (CompiledRule rule : rules) {
            if (rule.scope == Scope.PHI && !phiNamespace
                    || rule.scope == Scope.PHI_OR_CLUSTER && !phiNamespace && !clusterScoped) {
                continue;
            }
            if (rule.matches(facts)) {
                if (matched == null) {
                    matched = new ArrayList<>(2);
                }
                matched.add(rule.rule);
            }
        }
        if (matched == null) {
            return phiNamespace ? Classification.PHI_UNFLAGGED : Classification.NOT_PHI_UNFLAGGED;
        }
        return new Classification(phiNamespace, matched);
    }

    /** Whether {@code namespace} is a PHI namespace (cached; false for null or empty). */
    public boolean isPhiNamespace(String namespace) {
        if (namespace == null || namespace.isEmpty() || !anyPhi) {
            return false;
        }
        Boolean cached = namespaceCache.get(namespace);
        if (cached != null) {
            return cached;
        }
        boolean result = phi.contains(namespace);
        if (namespaceCache.size() < NAMESPACE_CACHE_LIMIT) {
            namespaceCache.put(namespace, result);
        }
        return result;
    }

    /**
     * Whether the event's request is in a PHI namespace or reaches into PHI namespaces (the {@code phi.namespace}
     * field of the normalized record).
     */
    public boolean reachesPhi(AuditEvent event) {
        AuditEvent.ObjectReference ref = event.objectRef();
        if (ref == null || !anyPhi) {
            return false;
        }
        String namespace = ref.namespace();
        String resource = ref.resource();
        if ((namespace == null || namespace.isEmpty()) && "namespaces".equals(resource)) {
            namespace = ref.name(); // a Namespace object is in itself (the apiserver usually says so already)
        }
        if (namespace != null && !namespace.isEmpty()) {
            return isPhiNamespace(namespace);
        }
        if (resource == null || resource.isEmpty()) {
            return false;
        }
        String verb = event.verb();
        if (verb == null) {
            return false;
        }
        if ("clusterrolebindings".equals(resource) && GRANT_VERBS.contains(verb)) {
            return true;
        }
        return COLLECTION_VERBS.contains(verb) && !CLUSTER_SCOPED.contains(resource)
                && phi.reachesInto(null, true);
    }

    /** A resource request without a namespace (a Namespace object is in itself, so it is not one). */
    private static boolean isClusterScoped(AuditEvent event) {
        AuditEvent.ObjectReference ref = event.objectRef();
        if (ref == null || ref.resource() == null || ref.resource().isEmpty()) {
            return false;
        }
        boolean noNamespace = ref.namespace() == null || ref.namespace().isEmpty();
        boolean namespaceObject = "namespaces".equals(ref.resource()) && ref.name() != null && !ref.name().isEmpty();
        return noNamespace && !namespaceObject;
    }

    /**
     * Whether {@link #classify} may need to look into a request body of these bytes: one that may hold a privileged
     * pod spec, or any body of a Service, Ingress, Role, ClusterRole or binding (see {@link RequestTrait}). When false,
     * the event can be classified with the body left unparsed.
     *
     * @param resource {@code objectRef.resource}, or null
     */
    public static boolean mayInspectRequestBody(String resource, byte[] bytes, int offset, int length) {
        return resource != null && RequestObjects.RESOURCES.contains(resource)
                || PrivilegedPods.mayBePrivileged(bytes, offset, length);
    }

    /** The per-event values the conditions look at, read once. */
    static final class Facts {
        final AuditEvent event;
        final String verb;
        final boolean resourceRequest;
        final String resource;
        final String subresource;
        final String resourceKey;
        final String apiGroup;
        final Integer code;
        final String decision;
        final String username;
        final List<String> groups;
        final boolean impersonated;
        final String refName;
        private int privileged = -1;
        private Set<RequestTrait> traits;

        Facts(AuditEvent e) {
            this.event = e;
            this.verb = e.verb();
            AuditEvent.ObjectReference ref = e.objectRef();
            String res = ref == null ? null : ref.resource();
            this.resourceRequest = res != null && !res.isEmpty();
            this.resource = resourceRequest ? res : null;
            String sub = resourceRequest ? ref.subresource() : null;
            this.subresource = sub == null || sub.isEmpty() ? null : sub;
            this.resourceKey = resource == null ? null : subresource == null ? resource : resource + "/" + subresource;
            String group = ref == null ? null : ref.apiGroup();
            this.apiGroup = group == null || group.equals("core") ? "" : group;
            this.code = e.responseStatus() == null ? null : e.responseStatus().code();
            this.decision = e.annotations() == null ? null : e.annotations().get(DECISION_ANNOTATION);
            this.username = e.user() == null ? null : e.user().username();
            List<String> g = e.user() == null ? null : e.user().groups();
            this.groups = g == null ? List.of() : g;
            this.impersonated = e.impersonatedUser() != null;
            this.refName = ref == null || ref.name() == null || ref.name().isEmpty() ? null : ref.name();
        }

        Set<RequestTrait> traits() {
            if (traits == null) {
                traits = RequestObjects.traits(event.requestObject(), resource);
            }
            return traits;
        }

        String roleRef() {
            return RequestObjects.roleRef(event.requestObject(), resource);
        }

        boolean privilegedPod() {
            if (privileged < 0) {
                privileged = PrivilegedPods.isPrivileged(event.requestObject(), resource) ? 1 : 0;
            }
            return privileged == 1;
        }
    }

    private static final class CompiledRule {
        final Rule rule;
        final Scope scope;
        final CompiledMatch[] anyOf;
        final CompiledMatch[] unless;

        CompiledRule(Rule rule) {
            this.rule = rule;
            this.scope = rule.scope();
            this.anyOf = rule.anyOf().stream().map(CompiledMatch::new).toArray(CompiledMatch[]::new);
            this.unless = rule.unless().stream().map(CompiledMatch::new).toArray(CompiledMatch[]::new);
        }

        boolean matches(Facts f) {
            boolean any = false;
            for (CompiledMatch m : anyOf) {
                if (m.matches(f)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
            for (CompiledMatch m : unless) {
                if (m.matches(f)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One match block with its values in hash sets; a null set means the condition is absent. */
    private static final class CompiledMatch {
        final Set<String> verbs;
        final boolean hasResources;
        final boolean anyResource;
        final Set<String> resourceKeys;
        final Set<String> anySubresourceOf;
        final Set<String> subresourceOfAny;
        final Set<String> apiGroups;
        final Set<Integer> codes;
        final Set<String> decisions;
        final Set<String> usernames;
        final Set<String> groups;
        final Boolean impersonated;
        final Boolean privilegedPod;
        final Boolean resourceRequest;
        final Set<String> exactNames;
        final Pattern[] nameGlobs;
        final Set<RequestTrait> traits;
        final Set<String> roleRefs;

        CompiledMatch(Match m) {
            this.verbs = m.verbs() == null || m.verbs().contains("*") ? null : Set.copyOf(m.verbs());
            this.hasResources = m.resources() != null;
            Set<String> keys = new HashSet<>();
            Set<String> anySub = new HashSet<>();
            Set<String> subOfAny = new HashSet<>();
            boolean any = false;
            if (m.resources() != null) {
                for (String r : m.resources()) {
                    if (r.equals("*")) {
                        any = true;
                    } else if (r.startsWith("*/")) {
                        subOfAny.add(r.substring(2));
                    } else if (r.endsWith("/*")) {
                        anySub.add(r.substring(0, r.length() - 2));
                    } else {
                        keys.add(r);
                    }
                }
            }
            this.anyResource = any;
            this.resourceKeys = Set.copyOf(keys);
            this.anySubresourceOf = Set.copyOf(anySub);
            this.subresourceOfAny = Set.copyOf(subOfAny);
            this.apiGroups = m.apiGroups() == null || m.apiGroups().contains("*") ? null : Set.copyOf(m.apiGroups());
            this.codes = m.responseCodes() == null ? null : Set.copyOf(m.responseCodes());
            this.decisions = m.decisions() == null ? null : Set.copyOf(m.decisions());
            this.usernames = m.usernames() == null ? null : Set.copyOf(m.usernames());
            this.groups = m.groups() == null ? null : Set.copyOf(m.groups());
            this.impersonated = m.impersonated();
            this.privilegedPod = m.privilegedPod();
            // "apiGroups: [*]" still means: a resource request
            this.resourceRequest = m.resourceRequest() != null ? m.resourceRequest()
                    : m.apiGroups() != null && m.apiGroups().contains("*") ? Boolean.TRUE : null;
            if (m.names() == null) {
                this.exactNames = null;
                this.nameGlobs = new Pattern[0];
            } else {
                this.exactNames = m.names().stream().filter(n -> !isGlob(n)).collect(Collectors.toUnmodifiableSet());
                this.nameGlobs = m.names().stream().filter(CompiledMatch::isGlob).map(PhiNamespaces::glob)
                        .toArray(Pattern[]::new);
            }
            if (m.requestObject() == null) {
                this.traits = null;
            } else {
                Set<RequestTrait> t = EnumSet.noneOf(RequestTrait.class);
                m.requestObject().forEach(code -> t.add(RequestTrait.fromCode(code).orElseThrow(
                        () -> new IllegalArgumentException("unknown request object trait " + code))));
                this.traits = t;
            }
            this.roleRefs = m.roleRefs() == null ? null : Set.copyOf(m.roleRefs());
        }

        private static boolean isGlob(String name) {
            return name.contains("*") || name.contains("?");
        }

        boolean matches(Facts f) {
            if (verbs != null && (f.verb == null || !verbs.contains(f.verb))) {
                return false;
            }
            if (resourceRequest != null && resourceRequest != f.resourceRequest) {
                return false;
            }
            if (hasResources && !resourceMatches(f)) {
                return false;
            }
            if (apiGroups != null && (!f.resourceRequest || !apiGroups.contains(f.apiGroup))) {
                return false;
            }
            if (codes != null && (f.code == null || !codes.contains(f.code))) {
                return false;
            }
            if (decisions != null && (f.decision == null || !decisions.contains(f.decision))) {
                return false;
            }
            if (usernames != null && (f.username == null || !usernames.contains(f.username))) {
                return false;
            }
            if (groups != null && !anyGroup(f.groups)) {
                return false;
            }
            if (impersonated != null && impersonated != f.impersonated) {
                return false;
            }
            if (exactNames != null && !nameMatches(f.refName)) {
                return false;
            }
            if (roleRefs != null) {
                String ref = f.roleRef();
                if (ref == null || !roleRefs.contains(ref)) {
                    return false;
                }
            }
            if (traits != null && !anyTrait(f.traits())) {
                return false;
            }
            return privilegedPod == null || privilegedPod == f.privilegedPod();
        }

        private boolean nameMatches(String name) {
            if (name == null) {
                return false;
            }
            if (exactNames.contains(name)) {
                return true;
            }
            for (Pattern p : nameGlobs) {
                if (p.matcher(name).matches()) {
                    return true;
                }
            }
            return false;
        }

        private boolean anyTrait(Set<RequestTrait> present) {
            for (RequestTrait t : present) {
                if (traits.contains(t)) {
                    return true;
                }
            }
            return false;
        }

        private boolean resourceMatches(Facts f) {
            if (!f.resourceRequest) {
                return false;
            }
            if (anyResource || resourceKeys.contains(f.resourceKey)) {
                return true;
            }
            return f.subresource != null
                    && (anySubresourceOf.contains(f.resource) || subresourceOfAny.contains(f.subresource));
        }

        private boolean anyGroup(List<String> eventGroups) {
            for (int i = 0; i < eventGroups.size(); i++) {
                String g = eventGroups.get(i);
                if (g != null && groups.contains(g)) {
                    return true;
                }
            }
            return false;
        }
    }
}
