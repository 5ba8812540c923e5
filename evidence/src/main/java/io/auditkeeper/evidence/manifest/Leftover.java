package io.auditkeeper.evidence.manifest;

/**
 * A finding that is explained and is not a problem: something in the bucket that no chain accounts for, but that leaves
 * every recorded piece of evidence as it was. Several archivers run at once; one that lost its partition without
 * knowing it yet (frozen past its group session, cut off from the group) may still have written to the bucket before
 * its fenced commit failed, and what it wrote stays there under COMPLIANCE Object Lock for years (docs/archiver.md,
 * "Several archivers"). {@code verify} names each leftover, with its count, so that an auditor sees it is there and
 * why, instead of taking it for tampering.
 *
 * <p>{@code key} is the S3 key of the object concerned; {@code versionId} the version found (null when unknown).
 * {@code firstOffset}/{@code lastOffset} are the offsets the key names, -1 when it names none.
 */
public record Leftover(Kind kind, String key, String versionId, long firstOffset, long lastOffset, String detail) {

    /** What an archiver left behind. */
    public enum Kind {
        /**
         * Another version of a recorded key whose bytes hash to the recorded SHA-256: a retried PUT whose answer was
         * lost, or two writers writing the same deterministic batch. Or whose bytes differ but gunzip to the recorded
         * version's, which is itself intact: the same events, compressed differently (the same batch written at
         * another gzip level, or with another zlib). The evidence is unchanged.
         */
        DUPLICATE_VERSION,
        /**
         * An object under the archive's object directory that no entry of the chain names: a batch written by an
         * archiver that was fenced before it wrote the batch's entry. Its records are archived in the live writer's
         * objects when the chain covers its offsets; when it does not, the chain's own {@link Problem.Kind#OFFSET_GAP}
         * (or its end) says what is missing.
         */
        UNREFERENCED_OBJECT
    }
}
