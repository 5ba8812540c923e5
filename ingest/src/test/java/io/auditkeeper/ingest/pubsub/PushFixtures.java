package io.auditkeeper.ingest.pubsub;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;

/**
 * What a push subscription sends, made in the test: a stand-in for Google's signing key (an RSA key pair and its JSON
 * Web Key Set file), OIDC tokens with the claims Pub/Sub puts in them, and push envelopes around a GKE LogEntry
 * ({@code src/test/resources/gke-pubsub}).
 */
public final class PushFixtures {
    public static final String AUDIENCE = "https://ingest.example.org/pubsub/gke";
    public static final String PUSH_ACCOUNT = "gke-audit-push@phi-prod-project.iam.gserviceaccount.com";
    public static final String KID = "7d680d8c70d44e947133cbd499ebc1a61c3d5abc";

    private final KeyPair google = generate();

    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public KeyPair google() {
        return google;
    }

    /** The key set file holding Google's (stand-in) key under {@link #KID}. */
    public Path writeJwks(Path file) throws IOException {
        RSAPublicKey pub = (RSAPublicKey) google.getPublic();
        String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"" + KID + "\",\"n\":\""
                + b64(unsigned(pub.getModulus())) + "\",\"e\":\"" + b64(unsigned(pub.getPublicExponent())) + "\"}]}";
        Files.createDirectories(file.getParent());
        return Files.writeString(file, jwks);
    }

    /** The claims Pub/Sub puts in a push token, valid for an hour from {@code now}. */
    public static String claims(String audience, String email, Instant now) {
        return "{\"aud\":\"" + audience + "\",\"azp\":\"113774264463038321964\",\"email\":\"" + email
                + "\",\"email_verified\":true,\"exp\":" + (now.getEpochSecond() + 3600) + ",\"iat\":" + now.getEpochSecond()
                + ",\"iss\":\"https://accounts.google.com\",\"sub\":\"113774264463038321964\"}";
    }

    /** A token as Pub/Sub sends it, signed by Google's (stand-in) key. */
    public String token(Instant now) {
        return sign(google, "{\"alg\":\"RS256\",\"kid\":\"" + KID + "\",\"typ\":\"JWT\"}", claims(AUDIENCE, PUSH_ACCOUNT, now));
    }

    public static String sign(KeyPair key, String header, String claims) {
        try {
            String input = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.getBytes(StandardCharsets.UTF_8));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key.getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture LogEntry for a cluster, as its bytes. */
    public static String logEntry(String cluster) {
        try (InputStream in = PushFixtures.class.getResourceAsStream("/gke-pubsub/secret-get-log-entry.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().replace("CLUSTER", cluster);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A push envelope around {@code data}, as Pub/Sub posts it (wrapped payload). */
    public static byte[] envelope(String messageId, byte[] data) {
        return ("{\"message\":{\"attributes\":{\"logging.googleapis.com/timestamp\":\"2026-12-06T09:15:27.123456Z\"},"
                + "\"data\":\"" + Base64.getEncoder().encodeToString(data) + "\",\"messageId\":\"" + messageId
                + "\",\"message_id\":\"" + messageId + "\",\"publishTime\":\"2026-12-06T09:15:32.5Z\","
                + "\"publish_time\":\"2026-12-06T09:15:32.5Z\"},"
                + "\"subscription\":\"projects/phi-prod-project/subscriptions/auditkeeper-gke\"}").getBytes(StandardCharsets.UTF_8);
    }

    public static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        return b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }
}
