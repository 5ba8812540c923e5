package io.auditkeeper.notifier.deliver;

import java.util.Map;

/** One request's body and the headers that go with it (never the credentials: the sender adds those). */
public record Payload(byte[] body, Map<String, String> headers) {
    public static final String JSON = "application/json";
}
