package io.auditkeeper.ingest.pubsub;

import io.auditkeeper.ingest.auth.ClientIdentity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.auditkeeper.ingest.pubsub.PushFixtures.AUDIENCE;
import static io.auditkeeper.ingest.pubsub.PushFixtures.KID;
import static io.auditkeeper.ingest.pubsub.PushFixtures.PUSH_ACCOUNT;
import static io.auditkeeper.ingest.pubsub.PushFixtures.b64;
import static io.auditkeeper.ingest.pubsub.PushFixtures.claims;
import static io.auditkeeper.ingest.pubsub.PushFixtures.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushTokenVerifierTest {
    private static final Instant NOW = Instant.parse("2026-12-06T09:15:33Z");
    private static final String RS256 = "{\"alg\":\"RS256\",\"kid\":\"" + KID + "\",\"typ\":\"JWT\"}";

    @TempDir
    Path dir;
    private PushFixtures fixtures;
    private PushTokenVerifier verifier;

    @BeforeEach
    void setUp() throws Exception {
        fixtures = new PushFixtures();
        verifier = verifier(List.of(PUSH_ACCOUNT), NOW);
    }

    private PushTokenVerifier verifier(List<String> accounts, Instant now) throws Exception {
        JsonWebKeySet keys = JsonWebKeySet.read(fixtures.writeJwks(dir.resolve("google-certs.json")), "pubsub.gke.jwks-file");
        return new PushTokenVerifier(keys, AUDIENCE, accounts, Duration.ofSeconds(60), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void shouldAcceptATokenPubSubSignedForTheAudienceAndAccount() throws Exception {
        ClientIdentity client = verifier.verify(fixtures.token(NOW.minusSeconds(5)));

        assertThat(client.value()).isEqualTo("pubsub:" + PUSH_ACCOUNT);
        assertThat(client.names()).containsExactly(PUSH_ACCOUNT);
    }

    @Test
    void shouldRefuseATokenSignedByAnotherKeyWith401() {
        String forged = sign(PushFixtures.generate(), RS256, claims(AUDIENCE, PUSH_ACCOUNT, NOW));

        assertRefused(forged, 401, "signature does not verify");
    }

    @Test
    void shouldRefuseATokenWhoseClaimsWereChangedAfterSigning() {
        String[] parts = fixtures.token(NOW).split("\\.");
        String changed = parts[0] + "." + b64(claims(AUDIENCE, "attacker@evil.example", NOW).getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];

        assertRefused(changed, 401, "signature does not verify");
    }

    @Test
    void shouldRefuseATokenOfAnotherIssuerWith401() {
        String claims = claims(AUDIENCE, PUSH_ACCOUNT, NOW).replace("https://accounts.google.com", "https://issuer.evil.example");

        assertRefused(sign(fixtures.google(), RS256, claims), 401, "not issued by Google");
    }

    @Test
    void shouldAcceptTheIssuerWithoutSchemeThatGoogleAlsoUses() throws Exception {
        String claims = claims(AUDIENCE, PUSH_ACCOUNT, NOW).replace("https://accounts.google.com", "accounts.google.com");

        assertThat(verifier.verify(sign(fixtures.google(), RS256, claims)).value()).isEqualTo("pubsub:" + PUSH_ACCOUNT);
    }

    @Test
    void shouldRefuseATokenForAnotherAudienceWith403() {
        assertRefused(sign(fixtures.google(), RS256, claims("https://other.example.org/push", PUSH_ACCOUNT, NOW)), 403,
                "another audience");
    }

    @Test
    void shouldRefuseATokenOfAnotherServiceAccountWith403() {
        assertRefused(sign(fixtures.google(), RS256, claims(AUDIENCE, "someone@other-project.iam.gserviceaccount.com", NOW)),
                403, "pubsub.gke.service-accounts");
    }

    @Test
    void shouldRefuseAnUnverifiedEmailWith403() {
        String claims = claims(AUDIENCE, PUSH_ACCOUNT, NOW).replace("\"email_verified\":true", "\"email_verified\":false");

        assertRefused(sign(fixtures.google(), RS256, claims), 403, "pubsub.gke.service-accounts");
    }

    @Test
    void shouldAcceptAnyAccountWhenNoneIsConfigured() throws Exception {
        PushTokenVerifier anyAccount = verifier(List.of(), NOW);
        String token = sign(fixtures.google(), RS256, claims(AUDIENCE, "other@p.iam.gserviceaccount.com", NOW));

        assertThat(anyAccount.verify(token).value()).isEqualTo("pubsub:other@p.iam.gserviceaccount.com");
    }

    @Test
    void shouldRefuseAnExpiredTokenBeyondTheLeewayWith401() throws Exception {
        String token = fixtures.token(NOW.minusSeconds(3600 + 61));

        assertRefused(token, 401, "expired");
        assertThat(verifier(List.of(PUSH_ACCOUNT), NOW.plusSeconds(59)).verify(fixtures.token(NOW.minusSeconds(3600))))
                .as("expired 59 s ago, within the 60 s leeway").isNotNull();
    }

    @Test
    void shouldRefuseATokenIssuedInTheFutureBeyondTheLeeway() {
        assertRefused(fixtures.token(NOW.plusSeconds(120)), 401, "future");
    }

    @Test
    void shouldRefuseAlgNoneWith401() {
        String unsigned = b64(("{\"alg\":\"none\",\"kid\":\"" + KID + "\"}").getBytes(StandardCharsets.UTF_8)) + "."
                + b64(claims(AUDIENCE, PUSH_ACCOUNT, NOW).getBytes(StandardCharsets.UTF_8)) + ".";

        assertRefused(unsigned, 401, "not a JWT");
        assertRefused(unsigned + "c2ln", 401, "not signed RS256");
    }

    @Test
    void shouldRefuseAnHs256TokenKeyedWithTheRsaPublicKey() throws Exception {
        String header = b64(("{\"alg\":\"HS256\",\"kid\":\"" + KID + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8));
        String payload = b64(claims(AUDIENCE, PUSH_ACCOUNT, NOW).getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Files.readAllBytes(dir.resolve("google-certs.json")), "HmacSHA256"));
        String token = header + "." + payload + "." + b64(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));

        assertRefused(token, 401, "not signed RS256");
    }

    @Test
    void shouldRefuseAnUnknownKeyIdNamingTheFileToRefresh() {
        String token = sign(fixtures.google(), "{\"alg\":\"RS256\",\"kid\":\"rotated-away\",\"typ\":\"JWT\"}",
                claims(AUDIENCE, PUSH_ACCOUNT, NOW));

        assertRefused(token, 401, "pubsub.gke.jwks-file");
    }

    @Test
    void shouldAcceptTokensOfANewKeyOnceTheFileIsReadAgain() throws Exception {
        PushFixtures rotated = new PushFixtures();
        String token = rotated.token(NOW);
        assertRefused(token, 401, "signature does not verify");

        verifier.replace(JsonWebKeySet.read(rotated.writeJwks(dir.resolve("google-certs.json")), "pubsub.gke.jwks-file"));

        assertThat(verifier.verify(token).value()).isEqualTo("pubsub:" + PUSH_ACCOUNT);
    }

    @Test
    void shouldRefuseGarbageWithoutQuotingIt() {
        assertRefused("not-a-jwt-secret-value", 401, "not a JWT");
        assertThatThrownBy(() -> verifier.verify("not-a-jwt-secret-value")).hasMessageNotContaining("secret-value");
    }

    @Test
    void shouldRefuseAKeySetFileThatHoldsNoRsaKey() throws Exception {
        Path file = Files.writeString(dir.resolve("empty.json"), "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"x\"}]}");

        assertThatThrownBy(() -> JsonWebKeySet.read(file, "pubsub.gke.jwks-file"))
                .hasMessageContaining("pubsub.gke.jwks-file").hasMessageContaining("no RSA signing key");
    }

    private void assertRefused(String token, int status, String reason) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOfSatisfying(PushTokenVerifier.TokenRejectedException.class,
                        e -> assertThat(e.status()).isEqualTo(status))
                .hasMessageContaining(reason);
    }
}
