package io.auditkeeper.ingest.firehose;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The fixtures of {@code src/test/resources/firehose-eks} (sources in its README), and Firehose requests made of them
 * as CloudWatch Logs and Firehose make them: each subscription message gzip'd, then base64'd into a record's data.
 */
public final class FirehoseFixtures {
    private FirehoseFixtures() {
    }

    public static byte[] read(String name) {
        try (InputStream in = FirehoseFixtures.class.getResourceAsStream("/firehose-eks/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(read(name), StandardCharsets.UTF_8);
    }

    /** The EKS audit event of the fixtures, as one line of JSON text. */
    public static String eksEvent() {
        return text("eks-audit-event-secret-read.json").strip();
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A record's data: base64 of the gzip'd message. */
    public static String data(byte[] subscriptionMessage) {
        return Base64.getEncoder().encodeToString(gzip(subscriptionMessage));
    }

    /** A Firehose request body with one record per data string. */
    public static byte[] request(String requestId, List<String> data) {
        StringBuilder sb = new StringBuilder("{\"requestId\":\"" + requestId + "\",\"timestamp\":1628674153595,\"records\":[");
        for (int i = 0; i < data.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("{\"data\":\"").append(data.get(i)).append("\"}");
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A DATA_MESSAGE of {@code logGroup} holding {@code messages} as its log events. */
    public static byte[] dataMessage(String logGroup, List<String> messages) {
        StringBuilder sb = new StringBuilder("{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"12345678910\",\"logGroup\":\""
                + logGroup + "\",\"logStream\":\"kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b\","
                + "\"subscriptionFilters\":[\"auditkeeper\"],\"logEvents\":[");
        for (int i = 0; i < messages.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(36329112856470148L + i)
                    .append("\",\"timestamp\":1628674153095,\"message\":").append(jsonString(messages.get(i))).append('}');
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
