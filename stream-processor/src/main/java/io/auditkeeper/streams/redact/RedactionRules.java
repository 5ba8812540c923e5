package io.auditkeeper.streams.redact;

import io.auditkeeper.streams.rules.PhiNamespaces;

import java.nio.charset.StandardCharsets;
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
    private final byte[][][] kindNeedles;
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
     * The kind names, lower case, whose presence in a body means the walk could redact something, less those that
     * contain a shorter one of the same group ({@code secret} finds {@code SecretList}): in {@code [0]} the kinds
     * redacted everywhere, in {@code [1]} those redacted in PHI namespaces only.
     */
    private static byte[][][] needles(Set<String> everywhere, Set<String> inPhi) {
        Set<String> always = new TreeSet<>();
        always.add("secret");
        always.add("tokenrequest");
        always.add("tokenreview");
        everywhere.forEach(k -> always.add(k.toLowerCase(Locale.ROOT)));
        Set<String> phiOnly = new TreeSet<>();
        inPhi.forEach(k -> phiOnly.add(k.toLowerCase(Locale.ROOT)));
        return new byte[][][] {shortest(always), shortest(phiOnly)};
    }

    private static byte[][] shortest(Set<String> kinds) {
        return kinds.stream()
                .filter(k -> kinds.stream().noneMatch(o -> !o.equals(k) && k.contains(o)))
                .map(k -> k.getBytes(StandardCharsets.UTF_8))
                .toArray(byte[][]::new);
    }

    /** {@link #redactedKindsIn}: a body may hold an object of a kind redacted everywhere. */
    static final int KIND_EVERYWHERE = 1;
    /** {@link #redactedKindsIn}: a body may hold an object of a kind redacted in PHI namespaces only. */
    static final int KIND_IN_PHI = 2;

    /**
     * A body's bytes as a Latin-1 string, one char per byte, so that the byte searches below run on the JDK's
     * vectorized {@link String#indexOf}. Offsets in it are offsets in the body.
     */
    static String latin1(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }

    /**
     * Whether a body has a backslash-u escape that could spell part of a key the walk reads ({@code kind},
     * {@code metadata}, {@code namespace}): one of an ASCII letter or digit, or of any non-ASCII character. The
     * escapes Go writes for {@code <}, {@code >} and {@code &} cannot.
     */
    static boolean mayEscapeAKey(String body) {
        for (int at = body.indexOf("\\u"); at >= 0; at = body.indexOf("\\u", at + 2)) {
            if (at + 6 > body.length()) {
                return true;
            }
            int c;
            try {
                c = Integer.parseInt(body, at + 2, at + 6, 16);
            } catch (NumberFormatException e) {
                return true;
            }
            if (c < 0 || c >= 0x80 || Character.isLetterOrDigit(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Which redacted kinds a body could hold, as {@link #KIND_EVERYWHERE} and {@link #KIND_IN_PHI} bits, given that
     * {@link #mayEscapeAKey} is false for it. The walk decides by the value of {@code kind} keys (an object's own
     * kind, or a list's kind for its items), so it is enough to read the string after each {@code "kind":} and look
     * for the name of a redacted kind in it, in any case, as {@link #kindMask} compares. What could spell a kind in a
     * way this search cannot see sets both bits: an escape in a kind's value, and in it the non-ASCII letters that
     * {@link String#equalsIgnoreCase} folds to ASCII ones (dotted and dotless i, long s: UTF-8 lead bytes {@code C4}
     * and {@code C5}; the Kelvin sign: {@code E2 84 AA}). A clear bit is a promise; a set one only means "look
     * closer". An escaped quote cannot end the key, so {@code "kind"} is never found inside a string.
     *
     * @param body {@link #latin1} of the {@code body.length()} bytes from {@code offset}
     */
    int redactedKindsIn(byte[] bytes, int offset, String body) {
        int found = 0;
        for (int at = body.indexOf(KIND_KEY); at >= 0; at = body.indexOf(KIND_KEY, at + KIND_KEY.length())) {
            int v = stringValueAfter(body, at + KIND_KEY.length());
            if (v >= 0) {
                found |= kindValueMayBeRedacted(bytes, offset + v, offset + body.length());
                if (found == (KIND_EVERYWHERE | KIND_IN_PHI)) {
                    return found;
                }
            }
        }
        return found;
    }

    /**
     * Whether a body could give an object a PHI namespace, given that {@link #mayEscapeAKey} is false for it: true
     * when the string value of a {@code "namespace"} key anywhere in it is one of the PHI namespaces, or could be one
     * (an escape in it).
     *
     * @param body {@link #latin1} of the {@code body.length()} bytes from {@code offset}
     */
    boolean mayNamePhiNamespace(byte[] bytes, int offset, String body) {
        for (int at = body.indexOf(NAMESPACE_KEY); at >= 0; at = body.indexOf(NAMESPACE_KEY, at + NAMESPACE_KEY.length())) {
            int v = stringValueAfter(body, at + NAMESPACE_KEY.length());
            if (v < 0) {
                continue;
            }
            int close = body.indexOf('"', v);
            int escape = body.indexOf('\\', v);
            if (close < 0 || escape >= 0 && escape < close) {
                return true;
            }
            if (phi.contains(new String(bytes, offset + v, close - v, StandardCharsets.UTF_8))) {
                return true;
            }
        }
        return false;
    }

    private static final String KIND_KEY = "\"kind\"";
    private static final String NAMESPACE_KEY = "\"namespace\"";

    /** When a colon and a string follow {@code from} (whitespace allowed), the index of that string's first char. */
    private static int stringValueAfter(String body, int from) {
        int v = skipSpace(body, from);
        if (v >= body.length() || body.charAt(v) != ':') {
            return -1;
        }
        v = skipSpace(body, v + 1);
        return v < body.length() && body.charAt(v) == '"' ? v + 1 : -1;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\n' || s.charAt(i) == '\r' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** Which redacted kinds the string value starting at {@code from} (after its opening quote) names, or may. */
    private int kindValueMayBeRedacted(byte[] bytes, int from, int end) {
        int close = from;
        while (close < end && bytes[close] != '"') {
            byte b = bytes[close];
            if (b == '\\' || b == (byte) 0xC4 || b == (byte) 0xC5
                    || b == (byte) 0xE2 && close + 2 < end && bytes[close + 1] == (byte) 0x84 && bytes[close + 2] == (byte) 0xAA) {
                return KIND_EVERYWHERE | KIND_IN_PHI;
            }
            close++;
        }
        int found = 0;
        for (int i = from; i < close; i++) {
            byte lower = (byte) (bytes[i] >= 'A' && bytes[i] <= 'Z' ? bytes[i] + 32 : bytes[i]);
            for (int group = 0; group < kindNeedles.length; group++) {
                for (byte[] needle : kindNeedles[group]) {
                    if (needle[0] == lower && matchesIgnoreCase(bytes, i, close, needle)) {
                        found |= 1 << group;
                    }
                }
            }
        }
        return found;
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
