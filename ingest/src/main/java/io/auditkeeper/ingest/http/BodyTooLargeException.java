package io.auditkeeper.ingest.http;

import java.nio.charset.StandardCharsets;

/**
 * A body over {@code limits.max-body-bytes}. It is not kept (holding it is what the limit prevents): it is read to its
 * end through SHA-256 without being stored, and what is known of it goes to the dead-letter topic as
 * {@code batch-too-large}, so that the loss of its events is on record with a hash that identifies the batch. Holds
 * sizes and a hash only, never content.
 */
public final class BodyTooLargeException extends Exception {
    private final long wireBytes;
    private final String sha256;
    private final boolean decoded;

    /**
     * @param wireBytes the bytes received on the wire (all of them when {@code sha256} is set)
     * @param sha256    the hex SHA-256 of the bytes on the wire; null when the body did not arrive whole
     * @param decoded   whether the wire body was within the limit and only its decompressed form over it
     */
    public BodyTooLargeException(long wireBytes, String sha256, boolean decoded) {
        super(null, null, false, false);
        this.wireBytes = wireBytes;
        this.sha256 = sha256;
        this.decoded = decoded;
    }

    public long wireBytes() { return wireBytes; }
    public String sha256() { return sha256; }
    public boolean complete() { return sha256 != null; }

    /** The 413 the client gets; the apiserver does not resend it (a batch this large never fits). */
    public WebhookException answer(long limit) {
        return new WebhookException(413, "body-too-large", "the body is larger than " + limit
                + " bytes" + (decoded ? " after decompression" : "") + " (limits.max-body-bytes); its events are not"
                + " kept, only its size and SHA-256 (audit.dlq, batch-too-large)");
    }

    /** The dead-letter record's detail header. */
    public String detail(long limit) {
        return "the body is over limits.max-body-bytes (" + limit + ")" + (decoded ? " after decompression" : "")
                + (complete() ? "; " + wireBytes + " bytes on the wire" : "; at least " + wireBytes
                + " bytes on the wire, the rest did not arrive") + "; its events are not kept";
    }

    /**
     * The dead-letter record's value: {@code {"wireBytes":N,"complete":true,"sha256":"...","contentEncoding":"gzip",
     * "decodedOverLimit":true,"limit":L}}.
     */
    public byte[] summary(long limit, String contentEncoding) {
        String json = "{\"wireBytes\":" + wireBytes + ",\"complete\":" + complete()
                + ",\"sha256\":" + (sha256 == null ? "null" : "\"" + sha256 + "\"")
                + ",\"contentEncoding\":\"" + (contentEncoding == null ? "identity" : contentEncoding) + "\""
                + ",\"decodedOverLimit\":" + decoded + ",\"limit\":" + limit + "}";
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
