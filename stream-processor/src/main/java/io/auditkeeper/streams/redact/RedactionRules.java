package io.auditkeeper.streams.redact;

import io.auditkeeper.streams.rules.PhiNamespaces;

import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The immutable configuration of a {@link SecretRedactor}: which kinds and resources carry values to hide. Answers are
 * bit masks so that one object can match several rules without allocating.
 */
final class RedactionRules {
    /** Replace the values of {@code data}, {@code stringData} and {@code binaryData}. */
    static final int DATA = 1;
    /** Replace {@code status.token} (TokenRequest). */
    static final int TOKEN_REQUEST = 2;
    /** Replace {@code spec.token} (TokenReview). */
    static final int TOKEN_REVIEW = 4;
    /** {@link #DATA}, but only when the object lives in a PHI namespace. */
    static final int DATA_IF_PHI = 8;

    static final String SECRETS = "secrets";

    private final Set<String> resourcesEverywhere;
    private final Set<String> resourcesInPhi;
    private final Set<String> kindsEverywhere;
    private final Set<String> kindsInPhi;
    final PhiNamespaces phi;

    RedactionRules(Collection<String> everywhere, Collection<String> inPhi, PhiNamespaces phi) {
        this.phi = phi == null ? PhiNamespaces.none() : phi;
        Set<String> ev = normalized(everywhere);
        ev.add(SECRETS);
        Set<String> ip = normalized(inPhi);
        ip.removeAll(ev);
        this.resourcesEverywhere = Collections.unmodifiableSet(ev);
        this.resourcesInPhi = Collections.unmodifiableSet(ip);
        this.kindsEverywhere = kindsOf(ev);
        this.kindsInPhi = kindsOf(ip);
        kindsInPhi.removeAll(kindsEverywhere);
    }

    Set<String> resourcesEverywhere() {
        return resourcesEverywhere;
    }

    Set<String> resourcesInPhi() {
        return resourcesInPhi;
    }

    int kindMask(String kind) {
        if (kind == null || kind.isEmpty()) {
            return 0;
        }
        if (kind.equalsIgnoreCase("Secret")) {
            return DATA;
        }
        if (kind.equalsIgnoreCase("TokenRequest")) {
            return TOKEN_REQUEST;
        }
        if (kind.equalsIgnoreCase("TokenReview")) {
            return TOKEN_REVIEW;
        }
        if (kindsEverywhere.contains(kind)) {
            return DATA;
        }
        return kindsInPhi.contains(kind) ? DATA_IF_PHI : 0;
    }

    int resourceMask(String resource, String subresource) {
        if (resource == null || resource.isEmpty()) {
            return 0;
        }
        int mask = 0;
        if (resourcesEverywhere.contains(resource)) {
            mask |= DATA;
        } else if (resourcesInPhi.contains(resource)) {
            mask |= DATA_IF_PHI;
        }
        if (resource.equalsIgnoreCase("serviceaccounts") && "token".equalsIgnoreCase(subresource)) {
            mask |= TOKEN_REQUEST;
        }
        if (resource.equalsIgnoreCase("tokenreviews")) {
            mask |= TOKEN_REVIEW;
        }
        return mask;
    }

    private static Set<String> normalized(Collection<String> resources) {
        Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        if (resources != null) {
            for (String r : resources) {
                if (r != null && !r.isBlank()) {
                    out.add(r.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    /**
     * Kinds a plural resource name may stand for: {@code configmaps} is {@code ConfigMap}, {@code policies} is
     * {@code Policy}, {@code endpoints} is {@code Endpoints}. Matching is case-insensitive, so spelling candidates
     * is enough; a spare candidate only ever causes more redaction.
     */
    private static Set<String> kindsOf(Set<String> resources) {
        Set<String> kinds = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String r : resources) {
            kinds.add(r);
            if (r.endsWith("ies") && r.length() > 3) {
                kinds.add(r.substring(0, r.length() - 3) + "y");
            }
            if (r.endsWith("es") && r.length() > 2) {
                kinds.add(r.substring(0, r.length() - 2));
            }
            if (r.endsWith("s") && r.length() > 1) {
                kinds.add(r.substring(0, r.length() - 1));
            }
        }
        return kinds;
    }
}
