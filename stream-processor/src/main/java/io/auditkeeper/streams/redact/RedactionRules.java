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
    private final byte[][] kindNeedles;
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
        this.kindNeedles = needles(kindsEverywhere, kindsInPhi);
    }

    /**
     * The kind names, lower case, whose presence in a body means the walk could redact something: every kind with a
     * non-zero {@link #kindMask}, less those that contain a shorter one ({@code secret} finds {@code SecretList}).
     */
    private static byte[][] needles(Set<String> everywhere, Set<String> inPhi) {
        Set<String> all = new TreeSet<>();
        all.add("secret");
        all.add("tokenrequest");
        all.add("tokenreview");
        everywhere.forEach(k -> all.add(k.toLowerCase(Locale.ROOT)));
        inPhi.forEach(k -> all.add(k.toLowerCase(Locale.ROOT)));
        return all.stream()
                .filter(k -> all.stream().noneMatch(o -> !o.equals(k) && k.contains(o)))
                .map(k -> k.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toArray(byte[][]::new);
    }

    /**
     * Whether {@code length} bytes of JSON from {@code offset} could hold an object the walk redacts. The walk decides
     * by the value of {@code kind} keys (an object's own kind, or a list's kind for its items), so it is enough to
     * read the string after each {@code "kind":} and look for the name of a redacted kind in it, in any case, as
     * {@link #kindMask} compares. What could spell a key or a kind in a way this byte search cannot see makes the
     * answer true as well: a backslash-u escape anywhere, an escape in a kind's value, and in a kind's value the
     * non-ASCII letters that {@link String#equalsIgnoreCase} folds to ASCII ones (dotted and dotless i, long s: UTF-8
     * lead bytes {@code C4} and {@code C5}; the Kelvin sign: {@code E2 84 AA}). False is a promise; true only means
     * "look closer".
     */
    boolean mayHoldRedactedKind(byte[] bytes, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (b == '\\') {
                if (i + 1 < end && bytes[i + 1] == 'u') {
                    return true;
                }
                i++;
            } else if (b == 'k' && i > offset && bytes[i - 1] == '"' && i + 4 < end && bytes[i + 1] == 'i'
                    && bytes[i + 2] == 'n' && bytes[i + 3] == 'd' && bytes[i + 4] == '"') {
                int v = skipSpace(bytes, i + 5, end);
                if (v < end && bytes[v] == ':') {
                    v = skipSpace(bytes, v + 1, end);
                    if (v < end && bytes[v] == '"' && kindValueMayBeRedacted(bytes, v + 1, end)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int skipSpace(byte[] bytes, int i, int end) {
        while (i < end && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** The string value starting at {@code from} (after its opening quote) names a redacted kind, or may. */
    private boolean kindValueMayBeRedacted(byte[] bytes, int from, int end) {
        int close = from;
        while (close < end && bytes[close] != '"') {
            byte b = bytes[close];
            if (b == '\\' || b == (byte) 0xC4 || b == (byte) 0xC5
                    || b == (byte) 0xE2 && close + 2 < end && bytes[close + 1] == (byte) 0x84 && bytes[close + 2] == (byte) 0xAA) {
                return true;
            }
            close++;
        }
        for (int i = from; i < close; i++) {
            byte lower = (byte) (bytes[i] >= 'A' && bytes[i] <= 'Z' ? bytes[i] + 32 : bytes[i]);
            for (byte[] needle : kindNeedles) {
                if (needle[0] == lower && matchesIgnoreCase(bytes, i, close, needle)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matchesIgnoreCase(byte[] bytes, int at, int end, byte[] lowerNeedle) {
        if (end - at < lowerNeedle.length) {
            return false;
        }
        for (int j = 1; j < lowerNeedle.length; j++) {
            byte b = bytes[at + j];
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerNeedle[j]) {
                return false;
            }
        }
        return true;
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
