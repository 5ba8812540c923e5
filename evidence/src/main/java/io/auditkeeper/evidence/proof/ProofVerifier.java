package io.auditkeeper.evidence.proof;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.KeyHistory;
import io.auditkeeper.evidence.manifest.KeyRecord;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.model.AuditJson;

import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks an {@link EventProof} offline, trusting nothing in it but what leads from the pinned key: the key history it
 * carries, then the event against its leaf hash, the audit path against the entry's Merkle root, the entry's
 * signature, the chain from the entry to the head the digest names, and the digest's signature. Every step is checked
 * and reported, each with its own message, so that a broken proof says which part was changed.
 */
public final class ProofVerifier {
    private static final HexFormat HEX = HexFormat.of();

    /** The parts of a proof, in the order they are checked. */
    public enum Part { KEYS, EVENT, PATH, ENTRY, CHAIN, DIGEST }

    /** One part's verdict: OK with what it established, or not with what is wrong. */
    public record Check(Part part, boolean ok, String detail) {
    }

    /** Every part's verdict; the proof holds when all are OK. */
    public record Report(List<Check> checks) {
        public Report {
            checks = List.copyOf(checks);
        }

        public boolean ok() {
            return checks.stream().allMatch(Check::ok);
        }

        /** The checks that failed. */
        public List<Check> failures() {
            return checks.stream().filter(c -> !c.ok()).toList();
        }
    }

    private final PublicKey pinned;

    public ProofVerifier(PublicKey pinned) {
        this.pinned = pinned;
    }

    public Report verify(EventProof proof) {
        List<Check> checks = new ArrayList<>();
        KeyHistory history = keys(proof, checks);
        ManifestVerifier signatures = ManifestVerifier.withKeys(history);
        byte[] leafHash = event(proof, checks);
        path(proof, leafHash, checks);
        entry(proof, signatures, history, checks);
        chain(proof, signatures, history, checks);
        digest(proof, signatures, history, checks);
        return new Report(checks);
    }

    private KeyHistory keys(EventProof proof, List<Check> checks) {
        Map<String, KeyRecord> records = new LinkedHashMap<>();
        List<KeyRecord> keys = proof.keys() == null ? List.of() : proof.keys();
        for (int i = 0; i < keys.size(); i++) {
            records.put("keys[" + i + "]", keys.get(i));
        }
        KeyHistory history = KeyHistory.from(pinned, records);
        if (history.problems().isEmpty()) {
            checks.add(new Check(Part.KEYS, true, history.trustedIds().size() + " key(s) trusted from the pinned key "
                    + history.pinnedId()));
        } else {
            checks.add(new Check(Part.KEYS, false, String.join("; ", history.problems().stream()
                    .map(p -> p.key() + ": " + p.detail()).toList())));
        }
        return history;
    }

    /** The leaf hash the event's bytes give, or null when they cannot be read. */
    private static byte[] event(EventProof proof, List<Check> checks) {
        byte[] leaf;
        try {
            leaf = Base64.getDecoder().decode(Objects.requireNonNullElse(proof.leaf(), ""));
        } catch (IllegalArgumentException e) {
            checks.add(new Check(Part.EVENT, false, "leaf is not base64 (" + e.getMessage() + ")"));
            return null;
        }
        byte[] actual = MerkleTree.leafHash(leaf);
        String actualHex = HEX.formatHex(actual);
        if (!actualHex.equals(proof.leafHash())) {
            checks.add(new Check(Part.EVENT, false, "the event's bytes hash to leaf hash " + actualHex
                    + ", the proof says " + proof.leafHash() + ": the event was altered"));
            return actual;
        }
        JsonNode parsed;
        try {
            parsed = AuditJson.mapper().readTree(leaf);
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.equals(proof.event())) {
            checks.add(new Check(Part.EVENT, false, "the readable event is not the archived bytes (leaf): one of the"
                    + " two was altered"));
            return actual;
        }
        String names = describe(parsed);
        if (!Objects.equals(text(parsed, "auditID"), proof.auditID()) || !Objects.equals(text(parsed, "stage"),
                proof.stage()) || !Objects.equals(text(parsed, "cluster"), proof.cluster())) {
            checks.add(new Check(Part.EVENT, false, "the proof claims to be of " + describe(proof.auditID(),
                    proof.stage(), proof.cluster()) + ", its event is " + names));
            return actual;
        }
        checks.add(new Check(Part.EVENT, true, names + ", leaf hash " + actualHex));
        return actual;
    }

    private static void path(EventProof proof, byte[] leafHash, List<Check> checks) {
        ManifestEntry entry = proof.entry();
        if (leafHash == null || entry == null || proof.auditPath() == null) {
            checks.add(new Check(Part.PATH, false, "the proof has no " + (entry == null ? "entry" : "audit path")));
            return;
        }
        if (entry.version() < ManifestEntry.FORMAT_VERSION || entry.merkleRoot() == null) {
            checks.add(new Check(Part.PATH, false, "the entry is of format " + entry.version()
                    + ", which records no Merkle root"));
            return;
        }
        byte[] root = MerkleTree.rootFromPath(leafHash, proof.leafIndex(), entry.count(), proof.auditPath());
        if (root == null) {
            checks.add(new Check(Part.PATH, false, "the audit path (" + proof.auditPath().size() + " steps) does not"
                    + " fit leaf " + proof.leafIndex() + " of a tree of " + entry.count() + " events: wrong length or"
                    + " side"));
        } else if (!HEX.formatHex(root).equals(entry.merkleRoot())) {
            checks.add(new Check(Part.PATH, false, "the audit path leads from leaf " + proof.leafIndex() + " to root "
                    + HEX.formatHex(root) + ", the entry records " + entry.merkleRoot()));
        } else {
            checks.add(new Check(Part.PATH, true, "leaf " + proof.leafIndex() + " of " + entry.count()
                    + " events leads to the entry's Merkle root " + entry.merkleRoot()));
        }
    }

    private static void entry(EventProof proof, ManifestVerifier signatures, KeyHistory history, List<Check> checks) {
        ManifestEntry entry = proof.entry();
        if (entry == null) {
            checks.add(new Check(Part.ENTRY, false, "the proof has no entry"));
            return;
        }
        String fault = entry.malformation();
        if (fault == null && !signatures.signatureValid(entry)) {
            fault = signatureFault("entry", entry.keyId(), history);
        }
        checks.add(fault == null
                ? new Check(Part.ENTRY, true, entry.topicPartition() + " offsets " + entry.firstOffset() + "-"
                        + entry.lastOffset() + " in " + entry.key() + " (version " + entry.versionId()
                        + "), signed by key " + entry.keyId())
                : new Check(Part.ENTRY, false, fault));
    }

    private static void chain(EventProof proof, ManifestVerifier signatures, KeyHistory history, List<Check> checks) {
        ManifestEntry entry = proof.entry();
        Digest digest = proof.digest();
        if (entry == null || digest == null || digest.heads() == null || proof.chain() == null) {
            checks.add(new Check(Part.CHAIN, false, "the proof has no " + (digest == null ? "digest" : "chain")));
            return;
        }
        ManifestEntry previous = entry;
        for (int i = 0; i < proof.chain().size(); i++) {
            ManifestEntry next = proof.chain().get(i);
            String where = "chain[" + i + "] (" + next.key() + ")";
            if (!next.topicPartition().equals(entry.topicPartition())) {
                checks.add(new Check(Part.CHAIN, false, where + " is of " + next.topicPartition() + ", not "
                        + entry.topicPartition()));
                return;
            }
            if (!previous.hash().equals(next.previousHash()) || next.firstOffset() != previous.lastOffset() + 1) {
                checks.add(new Check(Part.CHAIN, false, where + " does not follow the entry before it: previousHash "
                        + next.previousHash() + ", the hash before is " + previous.hash() + "; offsets "
                        + next.firstOffset() + " after " + previous.lastOffset()));
                return;
            }
            if (next.malformation() != null || !signatures.signatureValid(next)) {
                checks.add(new Check(Part.CHAIN, false, where + ": " + (next.malformation() != null
                        ? next.malformation() : signatureFault("entry", next.keyId(), history))));
                return;
            }
            previous = next;
        }
        ManifestEntry last = previous;
        Digest.PartitionHead head = digest.heads().stream()
                .filter(h -> h != null && last.topicPartition().equals(h.topicPartition())).findFirst().orElse(null);
        if (head == null) {
            checks.add(new Check(Part.CHAIN, false, "the digest names no head of " + last.topicPartition()));
        } else if (!head.entryHash().equals(last.hash()) || head.lastOffset() != last.lastOffset()) {
            checks.add(new Check(Part.CHAIN, false, "the digest names head " + head.entryHash() + " (to offset "
                    + head.lastOffset() + ") of " + head.topicPartition() + ", the chain ends at " + last.hash()
                    + " (to offset " + last.lastOffset() + ")"));
        } else {
            checks.add(new Check(Part.CHAIN, true, proof.chain().size() + " later entr"
                    + (proof.chain().size() == 1 ? "y" : "ies") + " link the entry to the head the digest names ("
                    + head.topicPartition() + " to offset " + head.lastOffset() + ")"));
        }
    }

    private static void digest(EventProof proof, ManifestVerifier signatures, KeyHistory history, List<Check> checks) {
        Digest digest = proof.digest();
        if (digest == null) {
            checks.add(new Check(Part.DIGEST, false, "the proof has no digest"));
            return;
        }
        String fault = digest.malformation();
        if (fault == null && !signatures.signatureValid(digest)) {
            fault = signatureFault("digest", digest.keyId(), history);
        }
        checks.add(fault == null
                ? new Check(Part.DIGEST, true, "created " + digest.createdAt() + ", signed by key " + digest.keyId()
                        + ": the event was sealed by then")
                : new Check(Part.DIGEST, false, fault));
    }

    private static String signatureFault(String what, String keyId, KeyHistory history) {
        return history.key(keyId) == null
                ? "the " + what + " is signed with key " + keyId + ", which the key history trusted from the pinned key "
                        + history.pinnedId() + " does not name"
                : "the " + what + "'s signature does not verify with key " + keyId + ": the " + what + " was altered";
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String describe(JsonNode event) {
        return describe(text(event, "auditID"), text(event, "stage"), text(event, "cluster"));
    }

    static String describe(String auditID, String stage, String cluster) {
        return "audit-id " + auditID + " stage " + stage + " cluster " + cluster;
    }
}
