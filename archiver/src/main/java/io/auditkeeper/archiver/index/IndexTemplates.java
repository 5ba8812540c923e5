package io.auditkeeper.archiver.index;

import io.auditkeeper.opensearch.HttpStatusException;
import io.auditkeeper.opensearch.schema.EventIndexTemplate;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchClientException;
import org.opensearch.client.opensearch.generic.Request;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.httpclient5.ResponseException;

import java.io.IOException;
import java.util.Objects;

/**
 * The composable index templates: the events' template JSON for the prefix and replicas of the settings, and the
 * idempotent PUT of any kind's template.
 *
 * <p>The events' mapping is {@link EventIndexTemplate}'s (module {@code opensearch-connection}), which
 * {@code auditkeeper rehydrate} puts on its own indices too. It maps {@code sourceIPs} with {@code ignore_malformed}:
 * the apiserver fills it from the client-controlled {@code X-Forwarded-For} header (the corpus has
 * {@code 99.999.999.999}), and a bad value there must not keep the event out of the index. Such a value stays in
 * {@code _source} and the field is listed in {@code _ignored}. Every other field our normalizer writes with a
 * guaranteed type, so a mapping error there is a real rejection.
 */
final class IndexTemplates {
    /** The events' template resource, next to {@link EventIndexTemplate} (shared with {@code rehydrate}). */
    static final String EVENTS_TEMPLATE_RESOURCE = EventIndexTemplate.RESOURCE;

    private final OpenSearchClient client;
    private final OpenSearchIndexer.Settings settings;

    IndexTemplates(OpenSearchClient client, OpenSearchIndexer.Settings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The events' template: patterns {@code <prefix>-*}, alias {@code <prefix>}, replicas and the Bloom filter over
     * {@code _id} from the settings.
     */
    byte[] eventsTemplateJson() throws IOException {
        return EventIndexTemplate.json(settings.indexPrefix(), settings.indexPrefix(), settings.templateOptions(), null);
    }

    /**
     * Creates or updates the composable index template of a kind of document (idempotent).
     *
     * @throws HttpStatusException when OpenSearch answers with an error status
     */
    void put(DocumentKind kind) throws IOException {
        Request request = Requests.builder().method("PUT").endpoint("/_index_template/" + kind.templateName())
                .body(Body.from(kind.templateJson(settings.replicas()), "application/json")).build();
        try (Response response = execute(request)) {
            if (response.getStatus() / 100 != 2) {
                throw new HttpStatusException(response.getStatus(), "PUT index template " + kind.templateName()
                        + " failed: " + response.getStatus() + " " + response.getBody().map(Body::bodyAsString).orElse(""),
                        null);
            }
        } catch (ResponseException e) {
            // as before the split, this message names the events' prefix whatever the kind
            throw new HttpStatusException(e.status(), "PUT index template " + settings.indexPrefix() + " failed: "
                    + e.getMessage(), e);
        }
    }

    private Response execute(Request request) throws IOException {
        try {
            return client.generic().execute(request);
        } catch (OpenSearchClientException e) {
            return e.response();
        }
    }
}
