package io.auditkeeper.evidence.manifest;

import io.auditkeeper.localstack.RequiredTool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ManifestSignerTest {
    @TempDir
    static Path keys;
    static Path privateKey;
    static Path publicKey;
    static ManifestSigner signer;

    @TempDir
    Path work;

    @BeforeAll
    static void keys() {
        privateKey = keys.resolve("manifest-key.pem");
        publicKey = keys.resolve("manifest-key.pub.pem");
        ManifestSigner.generate(privateKey, publicKey);
        signer = ManifestSigner.fromPemFile(privateKey);
    }

    private static ManifestEntry entry() {
        return signer.sign(ManifestEntry.unsigned("audit.events", 3, 1200, 1299, 97,
                Instant.parse("2026-02-01T00:00:00Z"), Instant.parse("2026-02-01T00:00:59.123Z"),
                "events/audit.events/partition=3/x.ndjson.gz", "v-42", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0"
                        + "b822cd15d6c15b0f00a08", ManifestEntry.GENESIS, "COMPLIANCE",
                Instant.parse("2032-02-03T00:00:59.123Z"), "ab".repeat(32)));
    }

    @Test
    void shouldVerifyWithThePlainJdkWhenOnlyThePemPublicKeyIsKnown() throws Exception {
        ManifestEntry entry = entry();
        String pem = Files.readString(publicKey);
        String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        PublicKey key = KeyFactory.getInstance("Ed25519")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initVerify(key);
        jdk.update(entry.canonicalBytes());

        assertThat(jdk.verify(Base64.getDecoder().decode(entry.signature()))).isTrue();
        assertThat(Base64.getDecoder().decode(entry.signature())).hasSize(64);
    }

    @Test
    void shouldPublishTheGeneratedPublicKeyWhenReadingThePrivateKey() throws IOException {
        assertThat(signer.publicKeyPem()).isEqualTo(Files.readString(publicKey))
                .startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        assertThat(Files.readString(privateKey)).startsWith("-----BEGIN PRIVATE KEY-----\n");
    }

    @Test
    void shouldSignDeterministicallyWhenSigningTheSameEntryTwice() {
        assertThat(entry().signature()).isEqualTo(entry().signature());
        assertThat(signer.verifier().signatureValid(entry())).isTrue();
    }

    @Test
    void shouldVerifyWithOpensslWhenGivenThePublishedPublicKey() throws Exception {
        RequiredTool.assumeInstalled(opensslAvailable(), "openssl", "Debian: apt-get install openssl; ./auditkeeper installs it");
        ManifestEntry entry = entry();
        Path canonical = Files.write(work.resolve("canonical.json"), entry.canonicalBytes());
        Path sig = Files.write(work.resolve("sig.bin"), Base64.getDecoder().decode(entry.signature()));
        Path pub = Files.writeString(work.resolve("pub.pem"), signer.publicKeyPem());

        Result ok = run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin",
                "-in", canonical.toString(), "-sigfile", sig.toString());
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("Signature Verified Successfully");

        Files.writeString(canonical, entry.canonicalString().replace("\"count\":97", "\"count\":98"));
        Result tampered = run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin",
                "-in", canonical.toString(), "-sigfile", sig.toString());
        assertThat(tampered.exitCode()).as(tampered.output()).isNotZero();
    }

    @Test
    void shouldReadAnOpensslKeyAndPublishOpensslsPublicKeyWhenKeyComesFromOpenssl() throws Exception {
        RequiredTool.assumeInstalled(opensslAvailable(), "openssl", "Debian: apt-get install openssl; ./auditkeeper installs it");
        Path key = work.resolve("openssl-key.pem");
        assertThat(run("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString()).exitCode()).isZero();
        Result pub = run("openssl", "pkey", "-in", key.toString(), "-pubout");
        assertThat(pub.exitCode()).isZero();

        ManifestSigner fromOpenssl = ManifestSigner.fromPemFile(key);

        assertThat(fromOpenssl.publicKeyPem()).isEqualTo(pub.output());
        ManifestEntry signed = fromOpenssl.sign(entry().withSignature(null));
        assertThat(ManifestVerifier.fromPublicKeyPem(pub.output()).signatureValid(signed)).isTrue();
    }

    @Test
    void shouldWriteThePrivateKeyForTheOwnerOnlyWhenGenerating() throws IOException {
        assumeTrue(work.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path key = work.resolve("k.pem");
        ManifestSigner.generate(key, work.resolve("k.pub.pem"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }

    @Test
    void shouldRefuseToOverwriteWhenThePrivateKeyFileExists() throws IOException {
        Path key = Files.writeString(work.resolve("existing.pem"), "keep me");

        assertThatThrownBy(() -> ManifestSigner.generate(key, work.resolve("p.pem")))
                .isInstanceOf(ManifestKeyException.class)
                .hasMessage("key file " + key + ": already exists; not overwriting a signing key");
        assertThat(Files.readString(key)).isEqualTo("keep me");
    }

    @Test
    void shouldNameTheFileWhenTheKeyIsMissing() {
        Path missing = work.resolve("nope.pem");

        assertThatThrownBy(() -> ManifestSigner.fromPemFile(missing))
                .isInstanceOf(ManifestKeyException.class)
                .hasMessage("key file " + missing + ": does not exist")
                .satisfies(e -> assertThat(((ManifestKeyException) e).file()).isEqualTo(missing));
    }

    @Test
    void shouldNameTheFileWithoutKeyMaterialWhenThePublicKeyIsGivenAsPrivate() {
        String body = signer.publicKeyPem().split("\n")[1];

        assertThatThrownBy(() -> ManifestSigner.fromPemFile(publicKey))
                .isInstanceOf(ManifestKeyException.class)
                .hasMessageStartingWith("key file " + publicKey + ": PEM block is 'PUBLIC KEY', expected 'PRIVATE KEY'")
                .message().doesNotContain(body);
    }

    @Test
    void shouldNameTheFileWhenTheKeyIsNotPem() throws IOException {
        Path garbage = Files.writeString(work.resolve("garbage.pem"), "hunter2-secret");

        assertThatThrownBy(() -> ManifestSigner.fromPemFile(garbage))
                .isInstanceOf(ManifestKeyException.class)
                .hasMessage("key file " + garbage + ": not a PEM file (no -----BEGIN PRIVATE KEY----- line)")
                .message().doesNotContain("hunter2");
    }

    @Test
    void shouldNameTheFileWithoutKeyMaterialWhenTheKeyIsRsa() throws Exception {
        byte[] rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate().getEncoded();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa)
                + "\n-----END PRIVATE KEY-----\n";
        Path rsaKey = Files.writeString(work.resolve("rsa.pem"), pem);

        assertThatThrownBy(() -> ManifestSigner.fromPemFile(rsaKey))
                .isInstanceOf(ManifestKeyException.class)
                .hasMessage("key file " + rsaKey + ": not an Ed25519 private key (PKCS#8)")
                .hasNoCause();
    }

    @Test
    void shouldRejectTheKeyWhenThePublicKeyIsNotEd25519() throws Exception {
        byte[] rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa)
                + "\n-----END PUBLIC KEY-----\n";

        assertThatThrownBy(() -> ManifestVerifier.fromPublicKeyPem(pem))
                .isInstanceOf(ManifestKeyException.class)
                .hasMessage("not an Ed25519 public key (X.509 SubjectPublicKeyInfo)");
    }

    @Test
    void shouldRefuseToSignWhenTheEntryIsMalformed() {
        ManifestEntry bad = entry().withSignature(null);
        ManifestEntry badCount = new ManifestEntry(bad.version(), bad.topic(), bad.partition(), bad.firstOffset(),
                bad.lastOffset(), 101, bad.firstEventTime(), bad.lastEventTime(), bad.key(), bad.versionId(),
                bad.sha256(), bad.previousHash(), bad.retentionMode(), bad.retainUntil(), null, bad.merkleRoot(), null);
        ManifestEntry badHash = new ManifestEntry(bad.version(), bad.topic(), bad.partition(), bad.firstOffset(),
                bad.lastOffset(), bad.count(), bad.firstEventTime(), bad.lastEventTime(), bad.key(), bad.versionId(),
                bad.sha256().toUpperCase(), bad.previousHash(), bad.retentionMode(), bad.retainUntil(), null, bad.merkleRoot(), null);

        assertThatThrownBy(() -> signer.sign(badCount)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("count 101 is outside 1..100");
        assertThatThrownBy(() -> signer.sign(badHash)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("sha256 is not 64 lowercase hex digits");
    }

    @Test
    void shouldNotRevealKeyMaterialWhenPrinted() {
        assertThat(signer.toString()).isEqualTo("ManifestSigner[Ed25519]");
    }

    private record Result(int exitCode, String output) {
    }

    private static boolean opensslAvailable() {
        try {
            return run("openssl", "version").exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Result run(String... command) throws IOException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
