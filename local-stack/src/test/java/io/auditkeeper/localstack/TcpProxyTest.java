package io.auditkeeper.localstack;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A held request stops exactly where asked, against a small HTTP-like server that records every byte it receives and
 * answers each complete request (head and Content-Length body).
 */
class TcpProxyTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final AtomicInteger answered = new AtomicInteger();
    private final TcpProxy proxy;

    TcpProxyTest() throws IOException {
        Thread t = new Thread(this::serve, "tcp-proxy-test-server");
        t.setDaemon(true);
        t.start();
        proxy = TcpProxy.start("127.0.0.1", server.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        server.close();
    }

    @Test
    void shouldForwardNothingOfTheRequestWhenHeldBeforeIt() throws Exception {
        CompletableFuture<String> held = proxy.hold("PUT /b/events/", 1, TcpProxy.HoldStage.BEFORE_REQUEST);

        try (Socket first = client(); Socket second = client(); Socket other = client()) {
            send(first, put("/b/events/1", "first"));
            assertThat(answer(first)).as("the first matching request is let through").startsWith("HTTP/1.1 200");
            send(second, put("/b/events/2", "second"));
            assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("PUT /b/events/2 HTTP/1.1");
            send(other, put("/b/manifests/2", "other"));
            assertThat(answer(other)).as("other requests go on").startsWith("HTTP/1.1 200");

            assertThat(received()).contains("first", "other").doesNotContain("events/2", "second");
            assertThatThrownBy(() -> answer(second)).as("the held connection stays open, silent")
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void shouldForwardTheHeadAndHalfTheBodyWhenHeldDuringTheRequest() throws Exception {
        CompletableFuture<String> held = proxy.hold("PUT /b/events/", TcpProxy.HoldStage.PART_OF_REQUEST);

        try (Socket c = client()) {
            send(c, put("/b/events/1", "0123456789"));
            assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("PUT /b/events/1 HTTP/1.1");

            assertThat(Waits.until(PATIENCE, Duration.ofMillis(20), () -> received().endsWith("01234"))).isTrue();
            assertThatThrownBy(() -> answer(c)).isInstanceOf(SocketTimeoutException.class);
            assertThat(received()).as("nothing past the half").endsWith("\r\n\r\n01234");
            assertThat(answered).hasValue(0);
        }
    }

    @Test
    void shouldForwardTheRequestAndHoldTheAnswerWhenHeldAtTheAnswer() throws Exception {
        CompletableFuture<String> held = proxy.hold("PUT /b/events/", TcpProxy.HoldStage.ANSWER);

        try (Socket c = client()) {
            send(c, put("/b/events/1", "0123456789"));
            assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("PUT /b/events/1 HTTP/1.1");

            assertThat(answered).as("the server answered before the hold is told").hasValue(1);
            assertThat(received()).endsWith("0123456789");
            assertThatThrownBy(() -> answer(c)).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void shouldDeliverTheHeldAnswerAndGoOnWhenReleased() throws Exception {
        CompletableFuture<String> held = proxy.hold("PUT /b/events/", TcpProxy.HoldStage.ANSWER);

        try (Socket c = client()) {
            send(c, put("/b/events/1", "0123456789"));
            held.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> answer(c)).isInstanceOf(SocketTimeoutException.class);

            proxy.releaseHeld();

            assertThat(answer(c)).as("the answer kept while held, late").startsWith("HTTP/1.1 200");
            send(c, put("/b/events/2", "next"));
            assertThat(answer(c)).as("the connection goes on").startsWith("HTTP/1.1 200");
            assertThat(answered).hasValue(2);
        }
    }

    @Test
    void shouldDeliverAHeldAnswerWhoseServerHasClosedSinceAndThenClose() throws Exception {
        CompletableFuture<String> held = proxy.hold("PUT /b/events/", TcpProxy.HoldStage.ANSWER);

        try (Socket c = client()) {
            send(c, put("/b/events/1", "0123456789").replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n"));
            held.get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (proxy.openSockets() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling for the server's side to close, as a keep-alive timeout would
            }
            assertThat(proxy.openSockets()).as("the server closed its side while the answer was held").isEqualTo(1);

            proxy.releaseHeld();

            assertThat(answer(c)).as("the answer kept while held, late").startsWith("HTTP/1.1 200");
            assertThat(answer(c)).as("then the connection closes, as the server's did").isEmpty();
        }
    }

    private Socket client() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(500);
        return s;
    }

    private static String put(String path, String body) {
        return "PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    private static String answer(Socket s) throws IOException {
        byte[] b = new byte[256];
        int n = s.getInputStream().read(b);
        return n < 0 ? "" : new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    private String received() {
        synchronized (received) {
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> answerEach(s), "tcp-proxy-test-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Records what arrives and answers each complete request. */
    private void answerEach(Socket s) {
        StringBuilder pending = new StringBuilder();
        byte[] b = new byte[1024];
        try (s; InputStream in = s.getInputStream()) {
            int n;
            while ((n = in.read(b)) >= 0) {
                synchronized (received) {
                    received.write(b, 0, n);
                }
                pending.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
                int head = pending.indexOf("\r\n\r\n");
                if (head < 0) {
                    continue;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("Content-Length: (\\d+)").matcher(pending);
                int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
                if (pending.length() >= head + 4 + length) {
                    pending.delete(0, head + 4 + length);
                    answered.incrementAndGet();
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                    if (pending.length() == 0 && received().contains("Connection: close")) {
                        return;
                    }
                }
            }
        } catch (IOException ignored) {
            // the proxy closed the connection
        }
    }
}
