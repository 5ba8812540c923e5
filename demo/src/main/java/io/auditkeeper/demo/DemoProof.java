package io.auditkeeper.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.cli.investigate.ProveCommand;
import io.auditkeeper.cli.investigate.VerifyProofCommand;
import io.auditkeeper.localstack.S3Endpoint;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The demo's proof for one flagged request: {@code auditkeeper prove} and {@code auditkeeper verify-proof} themselves,
 * run with the options a user would type, so that what the demo shows is what the commands do.
 */
final class DemoProof {
    /** The demo writes a digest every 10 s; a proof needs one that covers the event's entry. */
    private static final Duration DIGEST_WAIT = Duration.ofSeconds(60);

    private DemoProof() {
    }

    /** Proves {@code event} into {@code dir} and checks the proof; true when both succeeded. */
    static boolean write(PrintWriter out, Path dir, JsonNode event, String openSearchUrl, S3Endpoint s3, String bucket,
                         String topic, Path publicKey) throws InterruptedException {
        String auditId = event.path("auditID").asText();
        String stage = event.path("stage").asText();
        String cluster = event.path("cluster").asText();
        Path proof = dir.resolve("proof-" + auditId + ".json").toAbsolutePath();
        out.printf("  the request: %s %s %s/%s by %s, flagged %s%n", event.path("timestamp").asText(),
                event.path("verb").asText(), event.at("/objectRef/resource").asText(),
                event.at("/objectRef/name").asText("*"), event.path("actor").asText(), event.at("/phi/rules"));
        Instant deadline = Instant.now().plus(DIGEST_WAIT);
        Run prove;
        while (true) {
            prove = run(new ProveCommand(), "--audit-id", auditId, "--stage", stage, "--cluster", cluster,
                    "--opensearch", openSearchUrl, "--bucket", bucket, "--prefix", "", "--s3-endpoint",
                    s3.endpoint().toString(), "--s3-region", s3.region(), "--path-style", "--access-key", s3.accessKey(),
                    "--secret-key-file", dir.resolve("s3-secret-key").toString(), "--topic", topic, "--public-key",
                    publicKey.toString(), "--out", proof.toString());
            if (prove.code() == 0 || !prove.err().contains("no digest covers") || Instant.now().isAfter(deadline)) {
                break;
            }
            Thread.sleep(1_000);
        }
        if (prove.code() != 0) {
            out.println("  proof: FAILED (exit " + prove.code() + "): " + prove.err().strip());
            return false;
        }
        out.println("  ./auditkeeper prove --audit-id " + auditId + " --stage " + stage + " --cluster " + cluster
                + " --public-key " + publicKey + " --out " + proof);
        Run check = run(new VerifyProofCommand(), proof.toString(), "--public-key", publicKey.toString());
        out.println("  ./auditkeeper verify-proof " + proof + " --public-key " + publicKey
                + "     # offline: no bucket, no OpenSearch");
        check.out().lines().forEach(l -> out.println("    " + l));
        return check.code() == 0;
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(Object command, String... args) {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        int code = cli.execute(args);
        return new Run(code, stdout.toString(), stderr.toString());
    }
}
