package io.auditkeeper.demo.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A lean HTTP/1.1 client on one kept-alive TLS connection, for the benchmark's senders. The JDK's HttpClient spends
 * more CPU per request than the apiserver's Go client does; on a two-core machine that shares its cores with the
 * server under test, that cost would be charged to ingest. This one only encrypts and writes the request.
 */
final class KeepAliveHttpsPoster implements AutoCloseable {
    private final SSLContext ssl;
    private final URI uri;
    private final byte[] head;
    private SSLSocket socket;
    private OutputStream out;
    private InputStream in;

    KeepAliveHttpsPoster(SSLContext ssl, URI uri) {
        this.ssl = ssl;
        this.uri = uri;
        this.head = ("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nContent-Type: application/json\r\nUser-Agent: auditkeeper-bench\r\nContent-Length: ")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Posts the body and returns the status code, reading (and dropping) the response body. */
    int post(byte[] body) throws IOException {
        if (socket == null) {
            socket = (SSLSocket) ssl.getSocketFactory().createSocket(uri.getHost(), uri.getPort());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        }
        out.write(head);
        out.write((body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        String status = line();
        int code = Integer.parseInt(status.substring(9, 12));
        int length = 0;
        boolean close = false;
        for (String h = line(); !h.isEmpty(); h = line()) {
            String lower = h.toLowerCase();
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        in.readNBytes(length);
        if (close) {
            close();
        }
        return code;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
