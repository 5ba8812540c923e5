package io.auditkeeper.ingest.firehose;

/**
 * The records of a Firehose request, decoded and decompressed, come to more than {@code limits.max-body-bytes}: the
 * cap on what one request may hold applies after decompression, as for a gzip body of the webhook.
 */
public final class DecodedTooLargeException extends Exception {
    public DecodedTooLargeException(long limit) {
        super("the records decompress to more than " + limit + " bytes (limits.max-body-bytes)", null, false, false);
    }
}
