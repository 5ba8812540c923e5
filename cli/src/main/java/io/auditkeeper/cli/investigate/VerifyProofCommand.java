package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.ManifestKeyException;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.proof.EventProof;
import io.auditkeeper.evidence.proof.ProofVerifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code auditkeeper verify-proof}: checks a proof of one event offline, with nothing but the archive's pinned public
 * key: no bucket, no OpenSearch, no network. An auditor who received a proof file can run it anywhere.
 */
@Command(name = "verify-proof", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a proof written by 'auditkeeper prove', offline: the key history from the pinned key, the"
                + " event against its leaf hash, the Merkle audit path to the entry's root, the entry's signature, the"
                + " chain from the entry to the digest's head, and the digest's signature.",
                "Each part is reported; a changed byte in any of them fails it with its own message."},
        footer = {ExitCodes.HELP})
public final class VerifyProofCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<proof.json>", description = "The proof file.")
    Path file;

    @Option(names = "--public-key", required = true, paramLabel = "<pem>",
            description = "The archive's pinned public key, from a copy kept outside the archive (its SHA-256 is the"
                    + " key id printed by the check).")
    Path publicKey;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EventProof proof;
        ManifestVerifier pinned;
        try {
            pinned = ManifestVerifier.fromPublicKeyPemFile(publicKey);
            proof = EventProof.fromJson(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            err.println("auditkeeper verify-proof: " + file + " does not exist");
            return ExitCodes.USAGE;
        } catch (IOException e) {
            err.println("auditkeeper verify-proof: " + file + " cannot be read: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (IllegalArgumentException | ManifestKeyException e) {
            err.println("auditkeeper verify-proof: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        ProofVerifier.Report report = new ProofVerifier(pinned.keys().pinnedKey()).verify(proof);
        print(out, proof, report);
        return report.ok() ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }

    /** The checks of a proof, one line each, and the verdict. */
    static void print(PrintWriter out, EventProof proof, ProofVerifier.Report report) {
        out.println("proof of audit-id " + proof.auditID() + " stage " + proof.stage() + " cluster "
                + proof.cluster());
        for (ProofVerifier.Check c : report.checks()) {
            out.printf("  %-7s %-4s %s%n", c.part().name().toLowerCase(Locale.ROOT), c.ok() ? "OK" : "FAIL",
                    c.detail());
        }
        if (report.ok()) {
            out.println("verdict: OK: the event is in the archive, unaltered, sealed by the digest of "
                    + proof.digest().createdAt());
        } else {
            out.println("verdict: FAILED: " + report.failures().size() + " part(s) do not hold");
        }
        out.flush();
    }
}
