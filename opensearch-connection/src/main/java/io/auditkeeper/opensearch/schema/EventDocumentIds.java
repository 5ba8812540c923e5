package io.auditkeeper.opensearch.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The document id of a normalized event: the lowercase hex SHA-256 of {@code cluster + "\n" + auditID + "\n" + stage}
 * in UTF-8. Deterministic, so that the archiver re-reading its topic and {@code rehydrate} run twice both overwrite
 * instead of duplicating; shared so that the two can never disagree.
 */
public final class EventDocumentIds {
    private EventDocumentIds() {
    }

    public static String documentId(String cluster, String auditID, String stage) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((cluster + "\n" + auditID + "\n" + stage).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
