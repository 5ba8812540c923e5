package io.auditkeeper.ingest.firehose;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.ingest.firehose.FirehoseDelivery.ClusterLogEvents;
import io.auditkeeper.ingest.firehose.FirehoseDelivery.LogEvent;
import io.auditkeeper.ingest.firehose.LogGroupClusters.UnknownLogGroupException;
import io.auditkeeper.ingest.http.WebhookException;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.DeadLetterReason;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the body of an Amazon Data Firehose HTTP endpoint delivery request ({@code {"requestId", "timestamp",
 * "records": [{"data": <base64>}]}}) whose records come from a CloudWatch Logs subscription filter: each record's data
 * is base64 of a gzip'd subscription message ({@code messageType}, {@code logGroup}, {@code logStream},
 * {@code logEvents: [{id, timestamp, message}]}), and each log event's message is one audit Event as JSON text.
 *
 * <p>The whole request is read before anything is forwarded, so that a request refused for its shape has written
 * nothing and Firehose's retry of it is the only copy. CONTROL_MESSAGE records (CloudWatch Logs checking that the
 * destination is reachable) are counted and skipped. What a log event's message holds is not judged here: the webhook's
 * rules for one item decide it later ({@link ClusterEventList}). Decoded bytes are charged to the request's in-flight
 * budget as they are allocated (each record's data, its decompressed message, standing for the tree read from it, and
 * its log events' messages, which the event list made of them then stands in for), and the decompressed messages
 * together are capped at {@code maxDecodedBytes}.
 */
public final class FirehoseDeliveryReader {
    public static final String DATA_MESSAGE = "DATA_MESSAGE";
    public static final String CONTROL_MESSAGE = "CONTROL_MESSAGE";
    private static final int CHUNK = 64 * 1024;

    /** Charges bytes to the request's in-flight budget; fails with the 429 that names the bound crossed. */
    @FunctionalInterface
    public interface Budget {
        void charge(long bytes) throws WebhookException;
    }

    private final JsonFactory factory = AuditJson.factory();
    private final ObjectMapper mapper = new ObjectMapper(factory);
    private final LogGroupClusters logGroups;
    private final long maxDecodedBytes;

    public FirehoseDeliveryReader(LogGroupClusters logGroups, long maxDecodedBytes) {
        this.logGroups = logGroups;
        this.maxDecodedBytes = maxDecodedBytes;
    }

    public FirehoseDelivery read(byte[] body, int length, Budget budget) throws InvalidDeliveryException,
            UnknownLogGroupException, DecodedTooLargeException, WebhookException {
        Request request = readRequest(body, length, budget);
        Map<String, List<LogEvent>> byCluster = new LinkedHashMap<>();
        long decoded = 0;
        int control = 0;
        for (int i = 0; i < request.records.size(); i++) {
            byte[] gz = request.records.get(i);
            if (gz.length == 0) {
                continue;
            }
            byte[] json = gunzip(gz, i, maxDecodedBytes - decoded, budget);
            decoded += json.length;
            JsonNode message = subscriptionMessage(json, i);
            String type = message.path("messageType").asText("");
            if (type.equals(CONTROL_MESSAGE)) {
                control++;
                continue;
            }
            if (!type.equals(DATA_MESSAGE)) {
                throw notASubscriptionMessage(i, "its messageType is not DATA_MESSAGE or CONTROL_MESSAGE");
            }
            JsonNode logGroup = message.get("logGroup");
            JsonNode events = message.get("logEvents");
            if (logGroup == null || !logGroup.isTextual() || events == null || !events.isArray()) {
                throw notASubscriptionMessage(i, "a DATA_MESSAGE needs a logGroup string and a logEvents array");
            }
            String cluster = logGroups.clusterOf(logGroup.asText());
            String logStream = message.path("logStream").asText("");
            List<LogEvent> mine = byCluster.computeIfAbsent(cluster, c -> new ArrayList<>());
            for (int e = 0; e < events.size(); e++) {
                JsonNode text = events.get(e).get("message");
                if (text == null || !text.isTextual()) {
                    throw notASubscriptionMessage(i, "log event " + e + " has no message string");
                }
                byte[] bytes = text.asText().getBytes(StandardCharsets.UTF_8);
                budget.charge(bytes.length);
                mine.add(new LogEvent(bytes, events.get(e).path("id").asText(""), logStream));
            }
        }
        List<ClusterLogEvents> clusters = new ArrayList<>();
        byCluster.forEach((cluster, events) -> clusters.add(new ClusterLogEvents(cluster, events)));
        return new FirehoseDelivery(request.requestId, request.timestamp, request.records.size(), control, clusters);
    }

    private record Request(String requestId, long timestamp, List<byte[]> records) {
    }

    private Request readRequest(byte[] body, int length, Budget budget) throws InvalidDeliveryException, WebhookException {
        String requestId = null;
        long timestamp = 0;
        List<byte[]> records = null;
        try (JsonParser p = factory.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notARequest("the body is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "requestId" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw notARequest("requestId must be a string");
                        }
                        requestId = p.getText();
                    }
                    case "timestamp" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw notARequest("timestamp must be an integer (milliseconds since the epoch)");
                        }
                        timestamp = p.getLongValue();
                    }
                    case "records" -> {
                        if (value != JsonToken.START_ARRAY) {
                            throw notARequest("records must be an array");
                        }
                        records = readRecords(p, budget);
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new InvalidDeliveryException(DeadLetterReason.MALFORMED_JSON, "malformed-json",
                        "the body has content after the request object at byte " + p.currentTokenLocation().getByteOffset());
            }
        } catch (JsonProcessingException e) {
            throw new InvalidDeliveryException(DeadLetterReason.MALFORMED_JSON, "malformed-json",
                    "the body is not valid JSON" + (e.getLocation() == null ? ""
                            : " at byte " + e.getLocation().getByteOffset()));
        } catch (IOException e) {
            throw new InvalidDeliveryException(DeadLetterReason.MALFORMED_JSON, "malformed-json",
                    "the body could not be read as JSON");
        }
        if (requestId == null || records == null) {
            throw notARequest("a Firehose request needs requestId and records");
        }
        return new Request(requestId, timestamp, records);
    }

    private static List<byte[]> readRecords(JsonParser p, Budget budget)
            throws IOException, InvalidDeliveryException, WebhookException {
        List<byte[]> records = new ArrayList<>();
        Base64.Decoder base64 = Base64.getDecoder();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            int index = records.size();
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw notARequest("record " + index + " is not an object");
            }
            byte[] data = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("data")) {
                    if (value != JsonToken.VALUE_STRING) {
                        throw notARequest("record " + index + "'s data must be a string");
                    }
                    String text = p.getText();
                    budget.charge(text.length() * 3L / 4);
                    try {
                        data = base64.decode(text);
                    } catch (IllegalArgumentException e) {
                        throw new InvalidDeliveryException(DeadLetterReason.BAD_CONTENT_ENCODING, "bad-base64",
                                "record " + index + "'s data is not valid base64");
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (data == null) {
                throw notARequest("record " + index + " has no data");
            }
            records.add(data);
        }
        return records;
    }

    private byte[] gunzip(byte[] gz, int index, long limit, Budget budget)
            throws InvalidDeliveryException, DecodedTooLargeException, WebhookException {
        byte[] out = new byte[(int) Math.max(0, Math.min(limit, Math.max(CHUNK, gz.length * 4L)))];
        budget.charge(out.length);
        int length = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), CHUNK)) {
            while (true) {
                if (length == out.length) {
                    if (length >= limit) {
                        if (in.read() < 0) {
                            break;
                        }
                        throw new DecodedTooLargeException(maxDecodedBytes);
                    }
                    int grown = (int) Math.min(limit, Math.max(CHUNK, out.length * 2L));
                    budget.charge(grown - out.length);
                    out = Arrays.copyOf(out, grown);
                }
                int n = in.read(out, length, out.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
            }
        } catch (ZipException | EOFException e) {
            throw new InvalidDeliveryException(DeadLetterReason.BAD_CONTENT_ENCODING, "bad-record-encoding",
                    "record " + index + "'s data is not gzip (CloudWatch Logs gzips every subscription message)");
        } catch (IOException e) {
            throw new InvalidDeliveryException(DeadLetterReason.BAD_CONTENT_ENCODING, "bad-record-encoding",
                    "record " + index + "'s data could not be decompressed");
        }
        return length == out.length ? out : Arrays.copyOf(out, length);
    }

    private JsonNode subscriptionMessage(byte[] json, int index) throws InvalidDeliveryException {
        JsonNode message;
        try {
            message = mapper.readTree(json);
        } catch (IOException e) {
            throw new InvalidDeliveryException(DeadLetterReason.MALFORMED_JSON, "malformed-json",
                    "record " + index + " decompresses to something that is not JSON");
        }
        if (message == null || !message.isObject()) {
            throw notASubscriptionMessage(index, "it is not a JSON object");
        }
        return message;
    }

    private static InvalidDeliveryException notARequest(String detail) {
        return new InvalidDeliveryException(DeadLetterReason.NOT_A_FIREHOSE_REQUEST, "not-a-firehose-request", detail);
    }

    private static InvalidDeliveryException notASubscriptionMessage(int index, String why) {
        return new InvalidDeliveryException(DeadLetterReason.NOT_A_FIREHOSE_REQUEST, "not-a-subscription-message",
                "record " + index + " is not a CloudWatch Logs subscription message: " + why);
    }
}
