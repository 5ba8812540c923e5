package io.auditkeeper.evidence.proof;

import io.auditkeeper.evidence.proof.MerkleTree.PathStep;
import io.auditkeeper.evidence.proof.MerkleTree.PathStep.Side;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MerkleTreeTest {
    private static final HexFormat HEX = HexFormat.of();
    /** The leaves of Certificate Transparency's reference tests (RFC 6962 implementations share them). */
    private static final List<byte[]> CT_LEAVES = List.of("", "00", "10", "2021", "3031", "40414243",
            "5051525354555657", "606162636465666768696a6b6c6d6e6f").stream().map(HEX::parseHex).toList();
    private static final List<String> CT_ROOTS = List.of(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    private static List<byte[]> leafHashes(List<byte[]> leaves) {
        return leaves.stream().map(MerkleTree::leafHash).toList();
    }

    @Test
    void shouldGiveTheReferenceRootsOfRfc6962ForEverySizeUpToEight() {
        for (int n = 0; n <= 8; n++) {
            assertThat(MerkleTree.rootHex(leafHashes(CT_LEAVES.subList(0, n)))).as("size %d", n)
                    .isEqualTo(CT_ROOTS.get(n));
        }
    }

    @Test
    void shouldGiveTheReferenceAuditPathsOfCertificateTransparency() {
        List<byte[]> hashes = leafHashes(CT_LEAVES);
        assertThat(MerkleTree.auditPath(hashes, 0)).containsExactly(
                new PathStep(Side.RIGHT, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                new PathStep(Side.RIGHT, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                new PathStep(Side.RIGHT, "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"));
        assertThat(MerkleTree.auditPath(hashes, 5)).containsExactly(
                new PathStep(Side.LEFT, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                new PathStep(Side.RIGHT, "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                new PathStep(Side.LEFT, "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"));
    }

    @Test
    void shouldAgreeWithTheRecursiveDefinitionAndProveEveryLeafOfEverySize() {
        for (int n = 1; n <= 40; n++) {
            List<byte[]> hashes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                hashes.add(MerkleTree.leafHash(("event " + i).getBytes()));
            }
            byte[] root = MerkleTree.root(hashes);
            assertThat(root).as("size %d", n).isEqualTo(recursiveRoot(hashes));
            for (int i = 0; i < n; i++) {
                List<PathStep> path = MerkleTree.auditPath(hashes, i);
                assertThat(MerkleTree.rootFromPath(hashes.get(i), i, n, path)).as("leaf %d of %d", i, n)
                        .isEqualTo(root);
                if (n > 1) {
                    int other = (i + 1) % n;
                    assertThat(MerkleTree.rootFromPath(hashes.get(other), i, n, path)).as("another leaf")
                            .satisfiesAnyOf(r -> assertThat(r).isNull(), r -> assertThat(r).isNotEqualTo(root));
                }
            }
        }
    }

    @Test
    void shouldRefuseAPathWhoseSidesOrLengthDoNotFitTheIndex() {
        List<byte[]> hashes = leafHashes(CT_LEAVES);
        List<PathStep> path = MerkleTree.auditPath(hashes, 5);
        List<PathStep> flipped = new ArrayList<>(path);
        flipped.set(1, new PathStep(Side.LEFT, path.get(1).hash()));
        assertThat(MerkleTree.rootFromPath(hashes.get(5), 5, 8, flipped)).isNull();
        assertThat(MerkleTree.rootFromPath(hashes.get(5), 5, 8, path.subList(0, 2))).isNull();
        assertThat(MerkleTree.rootFromPath(hashes.get(5), 8, 8, path)).isNull();
    }

    private static byte[] recursiveRoot(List<byte[]> hashes) {
        if (hashes.size() == 1) {
            return hashes.get(0);
        }
        int k = Integer.highestOneBit(hashes.size() - 1);
        return MerkleTree.nodeHash(recursiveRoot(hashes.subList(0, k)), recursiveRoot(hashes.subList(k, hashes.size())));
    }

    @Test
    void shouldNotLetALeafPassForANode() {
        byte[] a = MerkleTree.leafHash("a".getBytes());
        byte[] b = MerkleTree.leafHash("b".getBytes());
        byte[] node = MerkleTree.nodeHash(a, b);
        byte[] concatenated = new byte[64];
        System.arraycopy(a, 0, concatenated, 0, 32);
        System.arraycopy(b, 0, concatenated, 32, 32);
        assertThat(Arrays.equals(MerkleTree.leafHash(concatenated), node)).isFalse();
    }
}
