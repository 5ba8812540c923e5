package io.auditkeeper.notifier;

import java.nio.charset.StandardCharsets;

/** Records as the stream-processor writes them to audit.alerts and audit.phi-access (schema version 1). */
public final class Alerts {
    private Alerts() {
    }

    public static byte[] alert(String id, String severity) {
        return ("{\"schemaVersion\":1,\"alertId\":\"" + id + "\",\"type\":\"secret-enumeration\",\"severity\":\"" + severity
                + "\",\"cluster\":\"prod-east\",\"actor\":\"system:serviceaccount:billing:exporter\","
                + "\"windowStart\":\"2026-12-06T15:00:00.000Z\",\"windowEnd\":\"2026-12-06T15:04:10.000Z\",\"count\":12,"
                + "\"threshold\":10,\"auditIDs\":[\"6c1e0f5a-1111-4d4e-9a0b-000000000001\"],\"namespaces\":[\"clinical\"],"
                + "\"description\":\"system:serviceaccount:billing:exporter read 12 distinct secrets in PHI namespaces within PT5M\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] flaggedRequest(String auditId, String severity) {
        return ("{\"schemaVersion\":1,\"cluster\":\"prod-east\",\"auditID\":\"" + auditId + "\",\"stage\":\"ResponseComplete\","
                + "\"timestamp\":\"2026-12-06T15:00:00.000Z\",\"verb\":\"get\",\"requestURI\":\"/api/v1/namespaces/clinical/secrets/db\","
                + "\"actor\":\"alice@example.org\",\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"clinical\",\"name\":\"db\"},"
                + "\"responseCode\":200,\"decision\":\"allow\",\"phi\":{\"namespace\":true,\"flagged\":true,"
                + "\"rules\":[\"secret-read\"],\"severity\":\"" + severity + "\"},\"event\":{\"kind\":\"Event\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
