package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.model.AuditJson;

import java.io.PrintWriter;
import java.util.List;

/**
 * Renders a verification for the two readers it has: a person (a summary per partition, then each problem on its own
 * line with its kind, object key, offsets and what is wrong) and a program (one JSON document with the same facts).
 */
final class VerifyReportPrinter {
    private VerifyReportPrinter() {
    }

    static void human(PrintWriter out, ArchiveVerificationResult r) {
        out.printf("archive s3://%s/%s, topic %s, events from %s%n", r.bucket(), r.prefix(), r.topic(), r.window());
        out.printf("public key: %s%n", r.publicKeySource());
        if (r.partitions().isEmpty()) {
            out.printf("no manifest chains for topic %s under %smanifests/%n", r.topic(),
                    r.prefix().isEmpty() ? "" : r.prefix() + "/");
        }
        for (PartitionVerification p : r.partitions()) {
            if (p.entries().isEmpty()) {
                out.printf("  %s-%d: no objects in the period: %s%n", p.topic(), p.partition(), p.ok() ? "OK" : "PROBLEMS");
            } else {
                out.printf("  %s-%d: %d objects, offsets %d-%d, %d events, %s .. %s: %s%n", p.topic(), p.partition(),
                        p.entries().size(), p.firstOffset(), p.lastOffset(), p.events(), p.firstEventTime(),
                        p.lastEventTime(), p.ok() ? "OK" : p.problems().size() + " PROBLEM(S)");
            }
            printProblems(out, p.problems());
        }
        out.printf("  digests: %d checked: %s%n", r.digestsChecked(),
                r.digestProblems().isEmpty() ? "OK" : r.digestProblems().size() + " PROBLEM(S)");
        if (r.digestsChecked() == 0) {
            out.println("    (no digest written yet: the archiver writes one every digest.interval-ms; until then entries"
                    + " deleted from the end of a chain cannot be detected)");
        }
        printProblems(out, r.digestProblems());
        out.println(r.ok()
                ? "OK: every signature, hash chain, offset range, object and retention lock checks out"
                : "FAILED: " + r.problemCount() + " problem(s) found");
        out.flush();
    }

    private static void printProblems(PrintWriter out, List<Problem> problems) {
        for (Problem x : problems) {
            String offsets = x.firstOffset() < 0 && x.lastOffset() < 0 ? ""
                    : " offsets " + (x.firstOffset() < 0 ? "?" : x.firstOffset()) + "-" + x.lastOffset();
            out.printf("    %s %s%s: %s%n", x.kind(), x.key(), offsets, x.detail());
        }
    }

    static void json(PrintWriter out, ArchiveVerificationResult r) {
        out.println(node(r).toString());
        out.flush();
    }

    /** The result as the JSON document {@code verify --json} prints (and {@code report.json} embeds). */
    static ObjectNode node(ArchiveVerificationResult r) {
        ObjectNode root = AuditJson.mapper().createObjectNode();
        root.put("ok", r.ok());
        root.put("bucket", r.bucket());
        root.put("prefix", r.prefix());
        root.put("topic", r.topic());
        root.put("from", r.window().from().toString());
        root.put("to", r.window().to().equals(java.time.Instant.MAX) ? null : r.window().to().toString());
        root.put("publicKey", r.publicKeySource());
        root.put("publicKeyFromBucket", r.keyFromBucket());
        root.put("problemCount", r.problemCount());
        ArrayNode parts = root.putArray("partitions");
        for (PartitionVerification p : r.partitions()) {
            ObjectNode n = parts.addObject();
            n.put("topic", p.topic());
            n.put("partition", p.partition());
            n.put("ok", p.ok());
            n.put("objects", p.entries().size());
            n.put("firstOffset", p.firstOffset());
            n.put("lastOffset", p.lastOffset());
            n.put("events", p.events());
            n.put("firstEventTime", p.firstEventTime());
            n.put("lastEventTime", p.lastEventTime());
            problems(n.putArray("problems"), p.problems());
        }
        ObjectNode d = root.putObject("digests");
        d.put("checked", r.digestsChecked());
        d.put("ok", r.digestProblems().isEmpty());
        problems(d.putArray("problems"), r.digestProblems());
        return root;
    }

    private static void problems(ArrayNode array, List<Problem> problems) {
        for (Problem x : problems) {
            ObjectNode n = array.addObject();
            n.put("kind", x.kind().name());
            n.put("key", x.key());
            n.put("firstOffset", x.firstOffset());
            n.put("lastOffset", x.lastOffset());
            n.put("detail", x.detail());
        }
    }
}
