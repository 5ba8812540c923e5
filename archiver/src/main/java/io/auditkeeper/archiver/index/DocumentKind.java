package io.auditkeeper.archiver.index;

import java.io.IOException;

/**
 * What the indexer needs to know about one kind of document (normalized events, alerts, archive manifest entries):
 * where each document goes and under which id, and the index template that maps it. Why an interface: the bulk
 * path (batching, retries, dead letters) is the same for every kind; only the placement and the mapping differ.
 */
public interface DocumentKind {
    /** The index and the deterministic id of one document, so that indexing it again overwrites it. */
    record Placement(String index, String id) {
    }

    /**
     * @throws IllegalArgumentException (or IOException) when the bytes are not a document of this kind; the indexer
     *                                  then rejects it with the message, to the dead-letter topic
     */
    Placement place(byte[] source) throws IOException;

    /** The name of the composable index template (also the alias or index name). */
    String templateName();

    /** The composable index template's JSON, with this many replicas. */
    byte[] templateJson(int replicas) throws IOException;
}
