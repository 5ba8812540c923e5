package io.auditkeeper.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NormalizedEventWriterTest {
    private static String databind(NormalizedEvent e) throws Exception {
        return new String(AuditJson.mapper().writeValueAsBytes(e), StandardCharsets.UTF_8);
    }

    private static String streaming(NormalizedEvent e) throws Exception {
        return new String(NormalizedEventWriter.toJson(e), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteWhatDatabindWritesWhenEveryFieldIsSet() throws Exception {
        ObjectNode event = (ObjectNode) AuditJson.mapper().readTree(
                "{\"kind\":\"Event\",\"requestObject\":{\"data\":{\"k\":\"[REDACTED]\"},\"n\":[1,2.5,true,null]}}");
        NormalizedEvent e = new NormalizedEvent(NormalizedEvent.SCHEMA_VERSION, "east", "a-1", "ResponseComplete",
                "RequestResponse", "2026-11-27T10:00:00.000000Z", "2026-11-27T10:00:00.120000Z", "create",
                "/api/v1/namespaces/phi-a/secrets?fieldManager=kubectl", "alice \"the admin\" é 😀\n\u0001",
                new NormalizedEvent.User("admin", "u-1", Arrays.asList("system:masters", null, "dev")),
                new NormalizedEvent.User("alice", null, List.of()), List.of("10.0.0.1", "::1"), "kubectl/v1.31",
                new NormalizedEvent.ObjectRef("secrets", "status", "phi-a", "db", "apps", "v1"), 201, "allow",
                "RBAC: allowed by ClusterRoleBinding \"x\"", "2026-11-27T10:00:00.200Z", "apiserver-1",
                new NormalizedEvent.Source("audit.raw", 3, 1234567890123L),
                new NormalizedEvent.Phi(true, true, List.of("secret-write", "impersonation"), "high"),
                List.of("/requestObject/data/k"), event);

        assertThat(streaming(e)).isEqualTo(databind(e));
    }

    @Test
    void shouldLeaveOutWhatDatabindLeavesOutWhenFieldsAreAbsent() throws Exception {
        NormalizedEvent e = new NormalizedEvent(NormalizedEvent.SCHEMA_VERSION, null, null, null, null, null, null, null,
                null, null, new NormalizedEvent.User(null, null, null), null, null, null,
                new NormalizedEvent.ObjectRef(null, null, null, null, null, null), null, null, null, null, null,
                new NormalizedEvent.Source(null, 0, 0), new NormalizedEvent.Phi(false, false, null, null), null, null);

        assertThat(streaming(e)).isEqualTo(databind(e));
        NormalizedEvent bare = new NormalizedEvent(NormalizedEvent.SCHEMA_VERSION, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        assertThat(streaming(bare)).isEqualTo(databind(bare)).isEqualTo("{\"schemaVersion\":1}");
    }

    @Test
    void shouldWriteARawEventAsTheBytesItCameIn() throws Exception {
        byte[] raw = "{ \"kind\" : \"Event\", \"auditID\":\"a-2\" }".getBytes(StandardCharsets.UTF_8);
        NormalizedEvent e = new NormalizedEvent(NormalizedEvent.SCHEMA_VERSION, "east", "a-2", "RequestReceived", null,
                null, null, "get", null, null, null, null, null, null, null, null, null, null, null, null, null,
                new NormalizedEvent.Phi(false, false, null, null), List.of(), RawJson.node(raw));

        assertThat(streaming(e)).isEqualTo(databind(e)).endsWith("\"event\":{ \"kind\" : \"Event\", \"auditID\":\"a-2\" }}");
    }
}
