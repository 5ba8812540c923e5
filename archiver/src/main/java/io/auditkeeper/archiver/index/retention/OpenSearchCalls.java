package io.auditkeeper.archiver.index.retention;

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
 * {@link OpenSearchClientException} for others, and the AWS transport neither. The retention code needs to read 404s
 * and 400s (is the ISM plugin there?), not to catch three kinds of exceptions.
 */
final class OpenSearchCalls {
    /** One answer: its HTTP status and body as text (empty when there is none). */
    record Reply(int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private final OpenSearchClient client;

    OpenSearchCalls(OpenSearchClient client) {
        this.client = client;
    }

    Reply call(String method, String endpoint, Map<String, String> query, byte[] json) throws IOException {
        var builder = Requests.builder().method(method).endpoint(endpoint).query(query);
        if (json != null) {
            builder.body(Body.from(json, "application/json"));
        }
        Request request = builder.build();
        try (Response response = client.generic().execute(request)) {
            return new Reply(response.getStatus(), response.getBody().map(Body::bodyAsString).orElse(""));
        } catch (OpenSearchClientException e) {
            Response r = e.response();
            return new Reply(r.getStatus(), r.getBody().map(Body::bodyAsString).orElse(""));
        } catch (ResponseException e) {
            // its message holds the status line and the response body
            String body = String.valueOf(e.getMessage());
            return new Reply(e.status(), body);
        }
    }
}
