package io.auditkeeper.ingest;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;

/**
 * A hand-built TLS 1.1 ClientHello. The JDK's own client refuses to offer TLS 1.1 at all, so a test that used it
 * would pass even against a server that accepted TLS 1.1; these bytes really ask for it.
 */
final class TlsClientHello {
    private TlsClientHello() {
    }

    static byte[] tls11() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0x03);
        body.write(0x02); // client_version TLS 1.1
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0); // session id
        int[] suites = {0xC0, 0x13, 0xC0, 0x14, 0x00, 0x2F, 0x00, 0x35, 0xC0, 0x09, 0xC0, 0x0A};
        body.write(0);
        body.write(suites.length);
        for (int b : suites) {
            body.write(b);
        }
        body.write(1);
        body.write(0); // compression: null
        byte[] extensions = {
                0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17, // supported_groups: secp256r1
                0x00, 0x0b, 0x00, 0x02, 0x01, 0x00              // ec_point_formats: uncompressed
        };
        body.write(0);
        body.write(extensions.length);
        body.writeBytes(extensions);
        byte[] hello = body.toByteArray();

        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.write(0x01); // ClientHello
        handshake.write(0);
        handshake.write(hello.length >> 8);
        handshake.write(hello.length & 0xff);
        handshake.writeBytes(hello);
        byte[] hs = handshake.toByteArray();

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(0x16);
        record.write(0x03);
        record.write(0x02); // record version TLS 1.1
        record.write(hs.length >> 8);
        record.write(hs.length & 0xff);
        record.writeBytes(hs);
        return record.toByteArray();
    }
}
