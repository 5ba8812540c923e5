package io.auditkeeper.ingest.pubsub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.ingest.auth.ClientIdentity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the OIDC token a Pub/Sub push subscription sends ({@code Authorization: Bearer <JWT>}) before any of the body
 * is read: a JWT signed RS256 by one of Google's keys ({@link JsonWebKeySet}), issued by Google, for the configured
 * audience, not expired (within a small leeway for clock skew) and, when configured, for one of the push service
 * accounts with a verified email. Anything else is refused: {@code alg} {@code none}, HMAC and every other algorithm,
 * unknown key ids, tokens of another audience or account. Only the JDK verifies: no JWT library, so no algorithm
 * confusion is possible beyond what this class allows.
 */
public final class PushTokenVerifier {
    /** The issuers Google's ID tokens carry (Google documents both forms). */
    static final Set<String> GOOGLE_ISSUERS = Set.of("https://accounts.google.com", "accounts.google.com");
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    private static final int MAX_TOKEN_CHARS = 4096;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private volatile JsonWebKeySet keys;
    private final String audience;
    private final List<String> emails;
    private final Duration leeway;
    private final Clock clock;

    /** @param emails the push service accounts allowed; empty: any account Google signed a token for this audience */
    public PushTokenVerifier(JsonWebKeySet keys, String audience, List<String> emails, Duration leeway, Clock clock) {
        this.keys = keys;
        this.audience = audience;
        this.emails = List.copyOf(emails);
        this.leeway = leeway;
        this.clock = clock;
    }

    /** The keys of a file read again: tokens from now on are checked against them. */
    public void replace(JsonWebKeySet newKeys) {
        keys = newKeys;
    }

    /**
     * The client a token stands for, {@code pubsub:<email>}, with the email as its name for
     * {@code auth.cluster-bindings}.
     *
     * @throws TokenRejectedException 401 when the token is not a valid Google token, 403 when it is one for another
     *                                audience or account; its message never quotes the token
     */
    public ClientIdentity verify(String token) throws TokenRejectedException {
        if (token == null || token.length() > MAX_TOKEN_CHARS || !JWT.matcher(token).matches()) {
            throw new TokenRejectedException(401, "the bearer token is not a JWT");
        }
        String[] parts = token.split("\\.");
        JsonNode header = json(parts[0], "header");
        if (!"RS256".equals(header.path("alg").asText())) {
            throw new TokenRejectedException(401, "the token is not signed RS256");
        }
        String kid = header.path("kid").asText("");
        RSAPublicKey key = keys.key(kid).orElseThrow(() -> new TokenRejectedException(401,
                "the token's key id is not in pubsub.gke.jwks-file (Google rotated its keys: refresh the file)"));
        if (!signatureValid(key, parts)) {
            throw new TokenRejectedException(401, "the token's signature does not verify");
        }
        JsonNode claims = json(parts[1], "payload");
        if (!GOOGLE_ISSUERS.contains(claims.path("iss").asText())) {
            throw new TokenRejectedException(401, "the token was not issued by Google");
        }
        long now = clock.millis() / 1000;
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.canConvertToLong() || exp.asLong() + leeway.toSeconds() < now) {
            throw new TokenRejectedException(401, "the token has expired");
        }
        JsonNode iat = claims.get("iat");
        if (iat != null && iat.canConvertToLong() && iat.asLong() - leeway.toSeconds() > now) {
            throw new TokenRejectedException(401, "the token was issued in the future (clock skew beyond pubsub.gke.clock-leeway-ms)");
        }
        if (!audience.equals(claims.path("aud").asText(null))) {
            throw new TokenRejectedException(403, "the token is for another audience (pubsub.gke.audience)");
        }
        String email = claims.path("email").asText("");
        if (!emails.isEmpty() && (!emails.contains(email) || !claims.path("email_verified").asBoolean(false))) {
            throw new TokenRejectedException(403, "the token is not for a push service account in pubsub.gke.service-accounts");
        }
        String name = email.isEmpty() ? claims.path("sub").asText("unknown") : email;
        return new ClientIdentity("pubsub:" + name, List.of(name));
    }

    private static boolean signatureValid(RSAPublicKey key, String[] parts) throws TokenRejectedException {
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key);
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new TokenRejectedException(401, "the token's signature does not verify");
        }
    }

    private static JsonNode json(String part, String what) throws TokenRejectedException {
        try {
            JsonNode node = MAPPER.readTree(Base64.getUrlDecoder().decode(part));
            if (node == null || !node.isObject()) {
                throw new TokenRejectedException(401, "the token's " + what + " is not a JSON object");
            }
            return node;
        } catch (IllegalArgumentException | IOException e) {
            throw new TokenRejectedException(401, "the token's " + what + " is not base64url JSON");
        }
    }

    /** A push whose token is refused: 401 (not a valid Google token) or 403 (one for someone else). */
    public static final class TokenRejectedException extends Exception {
        private final int status;

        TokenRejectedException(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
