package io.auditkeeper.localstack;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A secured OpenSearch as the archiver meets it in production, for tests: HTTPS with a certificate from a test CA in
 * front of the local stack's plain-http node, optionally demanding HTTP basic credentials (as the security plugin
 * does, with a 401 and a challenge) and/or a client certificate from that CA (TLS {@code need_client_auth}).
 */
public final class HttpsForwardingProxy implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    /**
     * @param serverContext  the server certificate and, for client certificates, the CA it trusts
     * @param needClientCert refuse the handshake without a client certificate from that CA
     * @param basicUser      required basic-auth user, or null for none
     * @param basicPassword  its password
     */
    public HttpsForwardingProxy(URI target, SSLContext serverContext, boolean needClientCert, String basicUser,
                         String basicPassword) throws Exception {
        server = new Server();
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(serverContext);
        ssl.setNeedClientAuth(needClientCert);
        HttpConfiguration http = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        String expected = basicUser == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (basicUser + ":" + basicPassword).getBytes(StandardCharsets.UTF_8));
        server.setHandler(new Forward(target, expected));
        server.start();
    }

    public URI url() {
        return URI.create("https://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private static final class Forward extends Handler.Abstract {
        private final URI target;
        private final String expectedAuthorization;
        private final HttpClient client = HttpClient.newHttpClient();

        Forward(URI target, String expectedAuthorization) {
            this.target = target;
            this.expectedAuthorization = expectedAuthorization;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (expectedAuthorization != null
                    && !expectedAuthorization.equals(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                response.setStatus(401);
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"OpenSearch Security\"");
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.write(true, ByteBuffer.wrap("Unauthorized".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
            byte[] body = Content.Source.asInputStream(request).readAllBytes();
            HttpRequest.Builder forward = HttpRequest.newBuilder(target.resolve(request.getHttpURI().getPathQuery()))
                    .method(request.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            if (type != null) {
                forward.header("Content-Type", type);
            }
            HttpResponse<byte[]> answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.setStatus(answer.statusCode());
            answer.headers().firstValue("Content-Type")
                    .ifPresent(v -> response.getHeaders().put(HttpHeader.CONTENT_TYPE, v));
            response.write(true, ByteBuffer.wrap(answer.body()), callback);
            return true;
        }
    }
}
