package io.auditkeeper.ingest.tls;

import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.localstack.DevPki;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerTlsFactoryTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseNamingTheKeyFileWhenTheKeyIsNotTheCertificates() {
        DevPki pki = DevPki.create(dir);

        assertThatThrownBy(() -> ServerTlsFactory.read(config(pki, pki.serverCert(), pki.clientKey())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.key-file")
                .hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void shouldReadTheExpiriesWhenTheFilesHoldTogether() {
        DevPki pki = DevPki.create(dir);

        ServerTlsFactory.Material m = ServerTlsFactory.read(config(pki, pki.serverCert(), pki.serverKey()));

        assertThat(m.serverExpiry()).isEqualTo(DevPki.readCertificate(pki.serverCert()).getNotAfter().toInstant());
        assertThat(m.clientCaExpiry()).isEqualTo(pki.caCertificate().getNotAfter().toInstant());
    }

    @Test
    void shouldNameTheCertificateFileWhenItIsNotAPemCertificate() throws Exception {
        DevPki pki = DevPki.create(dir);
        Path garbage = Files.writeString(dir.resolve("garbage.crt"), "-----BEGIN CERTIFICATE-----\nnot base64\n");

        assertThatThrownBy(() -> ServerTlsFactory.read(config(pki, garbage, pki.serverKey())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.cert-file");
    }

    private static IngestConfig config(DevPki pki, Path cert, Path key) {
        return IngestConfig.of(Map.of("kafka.bootstrap-servers", "k:9092", "tls.cert-file", cert.toString(),
                "tls.key-file", key.toString(), "auth.client-ca-file", pki.caCert().toString()));
    }
}
