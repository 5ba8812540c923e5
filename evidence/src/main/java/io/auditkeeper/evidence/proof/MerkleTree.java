package io.auditkeeper.evidence.proof;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The Merkle tree of RFC 6962 (section 2.1, SHA-256) over the events of one archived object, so that one event can be
 * shown to be in a signed manifest entry with a few hashes instead of the whole object. A leaf is an event's line in
 * the object without its {@code \n} (the Kafka record's value, byte for byte); its hash is
 * {@code SHA-256(0x00 || line)}, an inner node's {@code SHA-256(0x01 || left || right)}; the prefixes keep a leaf from
 * passing for a node. Certificate Transparency logs use the same tree, so any of their verifiers checks our paths.
 *
 * <p>The tree is built bottom up: at each level neighbours are paired, and a last node without a partner moves up
 * unchanged. That gives exactly RFC 6962's tree (split at the largest power of two below the size), and its audit
 * path for leaf {@code m}: at each level, the partner of {@code m}'s node if it has one.
 */
public final class MerkleTree {
    private static final HexFormat HEX = HexFormat.of();

    private MerkleTree() {
    }

    /** {@code SHA-256(0x00 || leaf)}. */
    public static byte[] leafHash(byte[] leaf) {
        return leafHash(leaf, 0, leaf.length, sha256());
    }

    /** {@code SHA-256(0x00 || leaf[offset, offset+length))}, with a digest the caller reuses. */
    public static byte[] leafHash(byte[] bytes, int offset, int length, MessageDigest sha256) {
        sha256.reset();
        sha256.update((byte) 0);
        sha256.update(bytes, offset, length);
        return sha256.digest();
    }

    /** {@code SHA-256(0x01 || left || right)}. */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        return nodeHash(left, right, sha256());
    }

    private static byte[] nodeHash(byte[] left, byte[] right, MessageDigest sha256) {
        sha256.reset();
        sha256.update((byte) 1);
        sha256.update(left);
        sha256.update(right);
        return sha256.digest();
    }

    /** The root over leaf hashes in order; the SHA-256 of nothing for no leaves, as RFC 6962 defines it. */
    public static byte[] root(List<byte[]> leafHashes) {
        MessageDigest sha256 = sha256();
        if (leafHashes.isEmpty()) {
            return sha256.digest();
        }
        List<byte[]> level = new ArrayList<>(leafHashes);
        while (level.size() > 1) {
            level = up(level, sha256);
        }
        return level.get(0);
    }

    /** {@link #root} as lowercase hex, as manifest entries record it. */
    public static String rootHex(List<byte[]> leafHashes) {
        return HEX.formatHex(root(leafHashes));
    }

    /** The audit path of leaf {@code index}: the sibling hashes from the leaf's level up, each with its side. */
    public static List<PathStep> auditPath(List<byte[]> leafHashes, int index) {
        if (index < 0 || index >= leafHashes.size()) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + leafHashes.size());
        }
        MessageDigest sha256 = sha256();
        List<PathStep> path = new ArrayList<>();
        List<byte[]> level = new ArrayList<>(leafHashes);
        int m = index;
        while (level.size() > 1) {
            int sibling = m ^ 1;
            if (sibling < level.size()) {
                path.add(new PathStep(sibling < m ? PathStep.Side.LEFT : PathStep.Side.RIGHT,
                        HEX.formatHex(level.get(sibling))));
            }
            level = up(level, sha256);
            m >>= 1;
        }
        return path;
    }

    /**
     * The root that {@code path} leads to from {@code leafHash} at {@code index} of a tree of {@code size} leaves,
     * following RFC 9162 section 2.1.3.2: the sides come from the index and size, not from the path. Null when the
     * path has the wrong length for that index and size, or a step's recorded side is not the one the index gives.
     */
    public static byte[] rootFromPath(byte[] leafHash, long index, long size, List<PathStep> path) {
        if (index < 0 || index >= size) {
            return null;
        }
        MessageDigest sha256 = sha256();
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (PathStep step : path) {
            if (sn == 0) {
                return null;
            }
            byte[] p = step.hashBytes();
            if (p == null) {
                return null;
            }
            if ((fn & 1) == 1 || fn == sn) {
                if (step.side() != PathStep.Side.LEFT) {
                    return null;
                }
                r = nodeHash(p, r, sha256);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                if (step.side() != PathStep.Side.RIGHT) {
                    return null;
                }
                r = nodeHash(r, p, sha256);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? r : null;
    }

    private static List<byte[]> up(List<byte[]> level, MessageDigest sha256) {
        List<byte[]> next = new ArrayList<>((level.size() + 1) / 2);
        for (int i = 0; i + 1 < level.size(); i += 2) {
            next.add(nodeHash(level.get(i), level.get(i + 1), sha256));
        }
        if (level.size() % 2 == 1) {
            next.add(level.get(level.size() - 1));
        }
        return next;
    }

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** One step of an audit path: a sibling's hash (lowercase hex) and the side it is on. */
    public record PathStep(Side side, String hash) {
        /** Which side the sibling is on; the fold is {@code H(0x01||sibling||r)} for LEFT, {@code H(0x01||r||sibling)} for RIGHT. */
        public enum Side { LEFT, RIGHT }

        byte[] hashBytes() {
            if (hash == null || !hash.matches("[0-9a-f]{64}")) {
                return null;
            }
            return HEX.parseHex(hash);
        }
    }
}
