package io.auditkeeper.ingest.batch;

/** Where one usable event lies in the request body: its original bytes are forwarded as they are. */
public record EventSlice(int offset, int length, String auditId, String stage) {
}
