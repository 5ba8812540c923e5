package io.auditkeeper.demo.pipeline;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.streams.config.StreamProcessorConfig;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings of a stream-processor and an archiver run in a test's JVM against the local stack, on topics, groups
 * and a bucket of their own (every name starts with {@code name}), so that the whole-pipeline tests differ only in
 * what they test. Mutable maps, for a test to add to.
 */
final class PipelineSettings {
    private PipelineSettings() {
    }

    static Map<String, Object> streamProcessor(LocalStack stack, String name, int outputPartitions, Path stateDir) {
        Map<String, Object> sp = new HashMap<>();
        sp.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        sp.put("application.id", name);
        sp.put("topics.raw.name", name + ".raw");
        sp.put("topics.events.name", name + ".events");
        sp.put("topics.phi-access.name", name + ".phi");
        sp.put("topics.alerts.name", name + ".alerts");
        sp.put("topics.dlq.name", name + ".dlq");
        sp.put("topics.outputs.partitions", Integer.toString(outputPartitions));
        sp.put("phi.namespaces", "phi-*");
        sp.put("admin.enabled", "false");
        sp.put("streams.state-dir", stateDir.toString());
        return sp;
    }

    /** An archiver of the stream-processor's outputs into the bucket {@code bucket}, batches closed every second. */
    static Map<String, Object> archiver(LocalStack stack, String name, StreamProcessorConfig processor, String bucket,
                                        Path signingKey) {
        Map<String, Object> ac = new HashMap<>();
        ac.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        ac.put("topics.events.name", processor.eventsTopic());
        ac.put("topics.alerts.name", processor.alertsTopic());
        ac.put("topics.dlq.name", processor.deadLetterTopic());
        ac.put("topics.archive.name", name + ".archive");
        ac.put("archive.group-id", name + "-archive");
        ac.put("index.group-id", name + "-index");
        ac.put("dead-letters.group-id", name + "-dead-letters");
        ac.put("s3.bucket", bucket);
        ac.put("s3.endpoint", stack.s3().endpoint().toString());
        ac.put("s3.region", stack.s3().region());
        ac.put("s3.path-style", "true");
        ac.put("s3.access-key", stack.s3().accessKey());
        ac.put("s3.secret-key", stack.s3().secretKey());
        ac.put("batch.max-age-ms", "1000");
        ac.put("manifest.signing-key-file", signingKey.toString());
        return ac;
    }
}
