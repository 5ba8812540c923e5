package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.evidence.manifest.VerificationReport;
import io.auditkeeper.evidence.store.ObjectStore;
import io.auditkeeper.evidence.store.StoredObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Verifies one archived object against its manifest entry before a replay emits any of it, with the archiver's own
 * {@link ManifestVerifier}: the entry's signature, its link to the entry before it, the recorded object version
 * (fetched by versionId) and its SHA-256, and its COMPLIANCE lock. The bytes the verifier fetched are the bytes
 * handed back, so what is replayed is exactly what was verified, fetched once.
 *
 * <p>Two findings do not stop a replay. A newer version or delete marker on top of the key is a
 * {@link Problem.Kind#NEWER_VERSION} notice: the replay reads the recorded, locked version, which is intact. And the
 * minimum retention after the last event is {@code verify}'s concern, not the replay's (the lock must still be
 * COMPLIANCE until the recorded date). Offsets must follow the entry before ({@link Problem.Kind#OFFSET_GAP},
 * {@link Problem.Kind#OFFSET_OVERLAP}), as {@code verify} requires, because a gap means events missing from the
 * replay.
 */
final class ArchivedObjectCheck {
    private final ManifestVerifier verifier;
    private final ObjectStore store;

    ArchivedObjectCheck(ManifestVerifier verifier, ObjectStore store) {
        this.verifier = verifier;
        this.store = store;
    }

    /** Entries of {@code entries} signed with a revoked key after its revocation ({@link ManifestVerifier#revokedSignatures}). */
    List<Problem> revoked(List<ManifestEntry> entries, java.util.function.Function<ManifestEntry, java.time.Instant> writtenAt) {
        return verifier.revokedSignatures(entries, writtenAt);
    }

    /** The verified content (null when a problem was found), what is wrong, and what is only worth a note. */
    record Outcome(byte[] content, List<Problem> problems, List<Problem> notices) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    Outcome check(ArchiveSelection.Selected selected, Instant now) {
        ManifestEntry entry = selected.entry();
        Capturing capturing = new Capturing(store, entry.versionId());
        VerificationReport report = verifier.verifyPartition(List.of(entry), selected.expectedPreviousHash(),
                capturing, now, Duration.ZERO);
        List<Problem> problems = new ArrayList<>();
        List<Problem> notices = new ArrayList<>();
        for (Problem p : report.problems()) {
            (p.kind() == Problem.Kind.NEWER_VERSION ? notices : problems).add(p);
        }
        offsetsFollow(selected, problems);
        if (problems.isEmpty() && capturing.fetched == null) {
            problems.add(new Problem(Problem.Kind.MALFORMED_ENTRY, entry.key(), entry.firstOffset(), entry.lastOffset(),
                    "the entry names no object version to read"));
        }
        return new Outcome(problems.isEmpty() ? capturing.fetched.content() : null, problems, notices);
    }

    private static void offsetsFollow(ArchiveSelection.Selected selected, List<Problem> problems) {
        ManifestEntry previous = selected.previous();
        ManifestEntry entry = selected.entry();
        if (previous == null) {
            return;
        }
        long expected = previous.lastOffset() + 1;
        if (entry.firstOffset() > expected) {
            problems.add(new Problem(Problem.Kind.OFFSET_GAP, entry.key(), expected, entry.firstOffset() - 1,
                    "offsets " + expected + "-" + (entry.firstOffset() - 1) + " are in no entry: " + previous.key()
                            + " ends at " + previous.lastOffset()));
        } else if (entry.firstOffset() < expected) {
            problems.add(new Problem(Problem.Kind.OFFSET_OVERLAP, entry.key(), entry.firstOffset(),
                    Math.min(previous.lastOffset(), entry.lastOffset()), "offsets overlap those of " + previous.key()
                    + ", which ends at " + previous.lastOffset()));
        }
    }

    /**
     * Passes the verifier's reads through and keeps the recorded version it fetched: only that one, since the verifier
     * also reads the key's other versions (to tell a duplicate from something written on top), and those are never
     * what a replay may emit.
     */
    private static final class Capturing implements ObjectStore {
        private final ObjectStore delegate;
        private final String recordedVersion;
        private StoredObject fetched;

        Capturing(ObjectStore delegate, String recordedVersion) {
            this.delegate = delegate;
            this.recordedVersion = recordedVersion;
        }

        @Override
        public Optional<StoredObject> get(String key, String versionId) {
            Optional<StoredObject> object = delegate.get(key, versionId);
            if (versionId != null && versionId.equals(recordedVersion)) {
                fetched = object.orElse(null);
            }
            return object;
        }

        @Override
        public List<String> versions(String key) {
            return delegate.versions(key);
        }
    }
}
