package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.evidence.manifest.Leftover;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.model.AuditJson;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders a verification for the two readers it has: a person (a summary per partition, then each problem on its own
 * line with its kind, object key, offsets and what is wrong; then the leftovers, counted by kind and each explained)
 * and a program (one JSON document with the same facts).
 */
final class VerifyReportPrinter {
    /** Why leftovers are there and why they are not tampering, in one sentence for the reader of a report. */
    static final String LEFTOVERS_EXPLAINED = "These are explained, not tampering: what an archiver that lost its"
            + " partition (frozen or cut off past its group session) wrote before it was fenced, kept by Object Lock;"
            + " every recorded version is unchanged (see docs/archiver.md, \"Several archivers\").";

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
        if (!r.trustedKeys().isEmpty()) {
            out.printf("  keys: %d trusted from the pinned key %s: %s%n", r.trustedKeys().size(),
                    r.trustedKeys().get(0), r.keyProblems().isEmpty() ? "OK" : r.keyProblems().size() + " PROBLEM(S)");
            printProblems(out, r.keyProblems());
        }
        if (r.unexplained() != null) {
            out.printf("  objects under the prefix: %s%n", r.unexplained().isEmpty()
                    ? "each one an archiver writes: OK" : r.unexplained().size() + " UNEXPLAINED");
            printProblems(out, r.unexplained());
        }
        List<Leftover> leftovers = r.leftovers();
        if (!leftovers.isEmpty()) {
            out.printf("  leftovers: %d (%s)%n", leftovers.size(), counts(r.leftoverCounts()));
            for (Leftover x : leftovers) {
                out.printf("    %s %s version %s%s: %s%n", x.kind(), x.key(), x.versionId() == null ? "?" : x.versionId(),
                        x.firstOffset() < 0 ? "" : " offsets " + x.firstOffset() + "-" + x.lastOffset(), x.detail());
            }
            out.println("    " + LEFTOVERS_EXPLAINED);
        }
        String explained = leftovers.isEmpty() ? "" : "; " + leftovers.size() + " explained leftover(s), not tampering";
        out.println(r.ok()
                ? "OK: every signature, hash chain, offset range, object and retention lock checks out" + explained
                : "FAILED: " + r.problemCount() + " problem(s) found" + explained);
        out.flush();
    }

    /** {@code 1 DUPLICATE_VERSION, 2 UNREFERENCED_OBJECT}. */
    static String counts(Map<Leftover.Kind, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
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
        root.put("leftoverCount", r.leftovers().size());
        ObjectNode byKind = root.putObject("leftoversByKind");
        r.leftoverCounts().forEach((kind, n) -> byKind.put(kind.name(), n));
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
            leftovers(n.putArray("leftovers"), p.leftovers());
        }
        ObjectNode d = root.putObject("digests");
        d.put("checked", r.digestsChecked());
        d.put("ok", r.digestProblems().isEmpty());
        problems(d.putArray("problems"), r.digestProblems());
        ObjectNode k = root.putObject("keys");
        ArrayNode trusted = k.putArray("trusted");
        r.trustedKeys().forEach(trusted::add);
        k.put("ok", r.keyProblems().isEmpty());
        problems(k.putArray("problems"), r.keyProblems());
        if (r.unexplained() != null) {
            ObjectNode u = root.putObject("objects");
            u.put("ok", r.unexplained().isEmpty());
            problems(u.putArray("unexplained"), r.unexplained());
        }
        return root;
    }

    private static void leftovers(ArrayNode array, List<Leftover> leftovers) {
        for (Leftover x : leftovers) {
            ObjectNode n = array.addObject();
            n.put("kind", x.kind().name());
            n.put("key", x.key());
            n.put("versionId", x.versionId());
            n.put("firstOffset", x.firstOffset());
            n.put("lastOffset", x.lastOffset());
            n.put("detail", x.detail());
        }
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
