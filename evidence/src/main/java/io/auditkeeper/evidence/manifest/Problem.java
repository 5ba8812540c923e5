package io.auditkeeper.evidence.manifest;

/**
 * One finding of a verification, precise enough to act on: what is wrong, which object, which offsets.
 *
 * <p>{@code key} is the S3 key of the entry concerned; for digest findings it is {@code digest@<createdAt>}, and for
 * {@link Kind#TRUNCATED_PARTITION} the {@code topic-partition}. {@code firstOffset}/{@code lastOffset} are the entry's
 * offsets, except that {@link Kind#OFFSET_GAP} names the missing range, {@link Kind#OFFSET_OVERLAP} the range covered
 * twice, and {@link Kind#TRUNCATED_PARTITION} the range the digest vouches for but the chain lacks. -1 means not
 * applicable or unknown (a digest as a whole; the start of a partition whose chain is entirely missing).
 */
public record Problem(Kind kind, String key, long firstOffset, long lastOffset, String detail) {

    /** What kind of tampering or damage a problem shows. */
    public enum Kind {
        /** The entry's signature is missing, not base64, or does not verify with the published key. */
        BAD_SIGNATURE,
        /** The entry's previousHash is not the hash of the entry before it: an entry removed, replaced, reordered. */
        BROKEN_CHAIN,
        /** Offsets between two consecutive entries are covered by no entry. */
        OFFSET_GAP,
        /** Two consecutive entries cover some offsets twice. */
        OFFSET_OVERLAP,
        /** The recorded object version does not exist. */
        MISSING_OBJECT,
        /** The recorded object version's SHA-256 is not the recorded one. */
        HASH_MISMATCH,
        /**
         * The object has the recorded SHA-256, but its events do not give the entry's Merkle root, or their number is
         * not its count: the entry was signed over other events (format version 3 on).
         */
        MERKLE_MISMATCH,
        /**
         * The key has versions besides the recorded one that are not its bytes again: something else was written (or
         * a delete marker put) on top. (The recorded bytes again, or the recorded events compressed differently, are a
         * {@link Leftover.Kind#DUPLICATE_VERSION}.)
         */
        NEWER_VERSION,
        /** The object is not locked in COMPLIANCE mode until the recorded date, or the recorded date is too early. */
        WEAK_RETENTION,
        /** The count is below 1 or above the number of offsets in the entry's range. */
        COUNT_MISMATCH,
        /** The entry cannot be checked as it is: unknown version, missing field, unparseable time, wrong partition. */
        MALFORMED_ENTRY,
        /**
         * A manifest object has more than one version, or a delete marker: the archiver writes each once, so something
         * was written on top. The chain is read at the oldest version.
         */
        REWRITTEN_MANIFEST,
        /** A digest object has more than one version, or a delete marker: something was written on top. */
        REWRITTEN_DIGEST,
        /**
         * A record of the key history ({@code keys/}) cannot be trusted: malformed, not signed by the key it follows,
         * or following a key that no trusted record names. Entries signed with its key then fail as BAD_SIGNATURE.
         */
        BAD_KEY_RECORD,
        /**
         * Something signed with a revoked key in an object written from the revocation's time on: an entry, or the
         * record of a key the revoked key introduced. What it signed before stays trusted.
         */
        KEY_REVOKED,
        /** A key record has more than one version with other bytes, or a delete marker. */
        REWRITTEN_KEY_RECORD,
        /** A digest's signature is missing or does not verify. */
        BAD_DIGEST_SIGNATURE,
        /** A digest's previousDigestHash is not the hash of the digest before it, or digests go back in time. */
        BROKEN_DIGEST_CHAIN,
        /** The latest digest vouches for entries of a partition that its chain no longer has. */
        TRUNCATED_PARTITION,
        /**
         * An object version or delete marker under the archive's prefix whose key the layout does not name: nothing
         * an archiver writes, so someone else wrote it ({@code verify} without a period start).
         */
        UNEXPLAINED_OBJECT
    }
}
