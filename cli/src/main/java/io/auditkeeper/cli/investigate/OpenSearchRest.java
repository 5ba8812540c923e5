package io.auditkeeper.cli.investigate;

import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchClientException;
import org.opensearch.client.opensearch.generic.Request;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.httpclient5.ResponseException;

import java.io.IOException;
import java.util.Map;

/**
 * Plain REST calls through the generic client, answering status and body whatever the transport: the HttpClient 5
 * transport throws {@link ResponseException} for some error statuses, the generic client
 * {@link OpenSearchClientException} for others, and the AWS transport neither. {@code rehydrate} needs to read 400s,
 * 404s and 429s, not to catch three kinds of exceptions.
 */
final class OpenSearchRest {
    /** One answer: its HTTP status and body as text (empty when there is none). */
    record Reply(int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private final OpenSearchClient client;

    OpenSearchRest(OpenSearchClient client) {
        this.client = client;
    }

    Reply call(String method, String endpoint, Map<String, String> query, byte[] body, String contentType)
            throws IOException {
        var builder = Requests.builder().method(method).endpoint(endpoint).query(query);
        if (body != null) {
            builder.body(Body.from(body, contentType));
        }
        Request request = builder.build();
        try (Response response = client.generic().execute(request)) {
            return new Reply(response.getStatus(), response.getBody().map(Body::bodyAsString).orElse(""));
        } catch (OpenSearchClientException e) {
            Response r = e.response();
            return new Reply(r.getStatus(), r.getBody().map(Body::bodyAsString).orElse(""));
        } catch (ResponseException e) {
            return new Reply(e.status(), String.valueOf(e.getMessage()));
        }
    }

    Reply json(String method, String endpoint, Map<String, String> query, byte[] json) throws IOException {
        return call(method, endpoint, query, json, "application/json");
    }
}
