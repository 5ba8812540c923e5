package io.auditkeeper.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson configuration of the project. Audit events hold arbitrary Kubernetes objects (an OpenShift
 * RequestResponse event reaches 220 KB, a ConfigMap can hold a megabyte in one string), so the stream-read limits are
 * raised above Jackson's defaults for string length while nesting stays bounded.
 */
public final class AuditJson {
    /**
     * Longest string value Jackson takes here, in characters; a reader of bytes that does not count them takes the
     * bytes of a document no longer than this (a string never has more characters than bytes).
     */
    public static final int MAX_STRING_LENGTH = 64 * 1024 * 1024;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxNestingDepth(500)
                    .build())
            .build();
    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private AuditJson() {
    }

    /** A shared, thread-safe factory for streaming parsers and generators. */
    public static JsonFactory factory() {
        return FACTORY;
    }

    /** A shared, thread-safe mapper; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
