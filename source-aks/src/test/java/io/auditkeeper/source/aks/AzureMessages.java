package io.auditkeeper.source.aks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Event Hubs messages as AKS's diagnostic setting writes them, for the tests: Azure's envelope around Events. */
final class AzureMessages {
    static final ObjectMapper JSON = new ObjectMapper();

    private AzureMessages() {
    }

    static String resourceId(String aksName) {
        return "/SUBSCRIPTIONS/5C3A1E2B-0000-4000-8000-00000000AB12/RESOURCEGROUPS/RG-CLINICAL/PROVIDERS/"
                + "MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/" + aksName;
    }

    /** One record of Azure's envelope; {@code log} is the text of properties.log. */
    static ObjectNode record(String aksName, String category, String log) {
        ObjectNode r = JSON.createObjectNode();
        r.put("time", "2026-12-06T15:00:00.0000000Z");
        r.put("resourceId", resourceId(aksName));
        r.put("category", category);
        r.put("operationName", "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read");
        ObjectNode p = r.putObject("properties");
        p.put("log", log);
        p.put("stream", "stdout");
        p.put("pod", "kube-apiserver-7f9c6d8b5-x2x8q");
        return r;
    }

    static byte[] message(ObjectNode... records) {
        ArrayNode a = JSON.createArrayNode();
        for (ObjectNode r : records) {
            a.add(r);
        }
        try {
            return JSON.writeValueAsBytes(JSON.createObjectNode().set("records", a));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clinician's get of a secret in a PHI namespace, as the apiserver logs it (with the line's newline). */
    static String secretRead(String auditID, String stage) {
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + auditID
                + "\",\"stage\":\"" + stage + "\",\"requestURI\":\"/api/v1/namespaces/phi-records/secrets/db-credentials\","
                + "\"verb\":\"get\",\"user\":{\"username\":\"clinician@hospital.example\",\"groups\":[\"system:authenticated\"]},"
                + "\"sourceIPs\":[\"10.20.30.40\"],\"userAgent\":\"kubectl/v1.31.0\",\"objectRef\":{\"resource\":\"secrets\","
                + "\"namespace\":\"phi-records\",\"name\":\"db-credentials\",\"apiVersion\":\"v1\"},\"responseStatus\":"
                + "{\"metadata\":{},\"code\":200},\"requestReceivedTimestamp\":\"2026-12-06T14:59:59.912345Z\","
                + "\"stageTimestamp\":\"2026-12-06T14:59:59.921234Z\",\"annotations\":{\"authorization.k8s.io/decision\":"
                + "\"allow\",\"authorization.k8s.io/reason\":\"RBAC: allowed by RoleBinding \\\"clinicians\\\"\"}}\n";
    }

    static byte[] fixture() {
        try (InputStream in = AzureMessages.class.getResourceAsStream("/azure/kube-audit-record.json")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
