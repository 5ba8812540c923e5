package io.auditkeeper.archiver;

import io.auditkeeper.archiver.config.ArchiverConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings of the clients both pipelines build from the config: S3, Kafka consumers and producers. Every call they
 * make has a bound (docs/archiver.md, "Timeouts"), so that a writer gets back to its poll loop within
 * {@code max.poll.interval.ms} whatever a store does.
 */
final class ArchiverClients {
    private ArchiverClients() {
    }

    static S3Client s3Client(ArchiverConfig config) {
        S3ClientBuilder b = S3Client.builder().region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                // Ceph and MinIO reject the SDK's trailing checksums; the writer sends Content-MD5 and SHA-256 itself.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(config.accessKey().isPresent()
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey().get(), config.secretKey().orElseThrow()))
                        : DefaultCredentialsProvider.builder().build())
                // without these a stalled connection holds a writer past max.poll.interval.ms, out of its group
                .overrideConfiguration(o -> o.apiCallTimeout(config.s3ApiCallTimeout())
                        .apiCallAttemptTimeout(config.s3ApiCallAttemptTimeout()));
        config.endpoint().ifPresent(b::endpointOverride);
        return b.build();
    }

    /**
     * The settings of both writers' consumers: committed records only, offsets committed by the writers, and the
     * archiver's timeouts ({@link ArchiverConfig#CONSUMER_TIMEOUTS}) unless {@code kafka.client.*} sets them.
     */
    static Map<String, Object> consumerProperties(ArchiverConfig config, String groupId) {
        Map<String, Object> p = new HashMap<>(config.consumerTimeouts());
        p.putAll(config.kafkaClientOverrides());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
        return p;
    }

    /**
     * The archive writer's consumer: as {@link #consumerProperties}, but never resetting its position by itself. The
     * writer places every partition explicitly, and a position that retention deleted must reach it as an error so
     * that the loss is told, not skipped over.
     */
    static Map<String, Object> archiveConsumerProperties(ArchiverConfig config, String groupId) {
        Map<String, Object> p = consumerProperties(config, groupId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return p;
    }

    /** The producers of manifest entries and of dead letters: acknowledged by all replicas, idempotent. */
    static Map<String, Object> producerProperties(ArchiverConfig config) {
        Map<String, Object> pp = new HashMap<>(config.kafkaClientOverrides());
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 * 1024 * 1024);
        return pp;
    }
}
