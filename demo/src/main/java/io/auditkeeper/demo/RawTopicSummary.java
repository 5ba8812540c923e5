package io.auditkeeper.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditJson;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads what arrived in a topic and prints it the way a person checks it: counts, and a few records in full. */
final class RawTopicSummary {
    private RawTopicSummary() {
    }

    static void print(PrintWriter out, String topic, List<ConsumerRecord<byte[], byte[]>> records, int samples) {
        Map<String, Integer> byCluster = new TreeMap<>();
        Map<String, Integer> byStage = new TreeMap<>();
        Map<String, Integer> byVerb = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            byCluster.merge(AuditHeaders.get(r.headers(), AuditHeaders.CLUSTER).orElse("?"), 1, Integer::sum);
            try {
                JsonNode e = AuditJson.mapper().readTree(r.value());
                byStage.merge(e.path("stage").asText("?"), 1, Integer::sum);
                byVerb.merge(e.path("verb").asText("?"), 1, Integer::sum);
            } catch (IOException ex) {
                byStage.merge("(not JSON)", 1, Integer::sum);
            }
        }
        out.printf("  %s: %d records%n", topic, records.size());
        if (records.isEmpty()) {
            return;
        }
        out.printf("    by cluster: %s%n    by stage:   %s%n    by verb:    %s%n", byCluster, byStage, byVerb);
        for (ConsumerRecord<byte[], byte[]> r : records.subList(0, Math.min(samples, records.size()))) {
            out.printf("    partition %d offset %d key=%s%n", r.partition(), r.offset(),
                    r.key() == null ? "(none)" : new String(r.key(), StandardCharsets.UTF_8));
            for (Header h : r.headers()) {
                out.printf("      %s: %s%n", h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
            String value = new String(r.value(), StandardCharsets.UTF_8);
            out.printf("      value (%d bytes): %s%n", r.value().length,
                    value.length() > 160 ? value.substring(0, 160) + "..." : value);
        }
    }
}
