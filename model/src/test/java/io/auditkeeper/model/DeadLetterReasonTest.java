package io.auditkeeper.model;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterReasonTest {
    @Test
    void shouldKeepTheCodesThatArchivedDeadLettersCarry() {
        assertThat(Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::code)).containsExactly(
                "malformed-json", "bad-content-encoding", "not-an-event-list", "not-an-object", "missing-audit-id",
                "missing-stage", "unparseable-event", "not-an-audit-event", "unwritable-event", "index-rejected",
                "event-too-large", "batch-too-large", "record-too-large", "conflicting-duplicate",
                "not-a-firehose-request", "not-a-resource-log", "unknown-cluster",
                "not-a-gke-push", "unmappable-log-entry", "alert-undeliverable");
        assertThat(Arrays.stream(DeadLetterSource.values()).map(DeadLetterSource::code))
                .containsExactly("ingest", "stream-processor", "archiver", "source-aks", "notifier");
    }

    @Test
    void shouldDocumentEveryReasonAndSourceInTheOperationsGuide() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "operations.md"));
        String section = doc.substring(doc.indexOf("### Records in the dead-letter topic"));

        List<String> codes = Arrays.stream(DeadLetterReason.values()).map(r -> "`" + r.code() + "`").toList();
        assertThat(section).as("docs/operations.md, Records in the dead-letter topic").contains(codes);
        assertThat(section).contains(Arrays.stream(DeadLetterSource.values()).map(s -> "`" + s.code() + "`").toList());
        assertThat(section).contains("`" + AuditHeaders.DLQ_REASON + "`", "`" + AuditHeaders.DLQ_DETAIL + "`",
                "`" + AuditHeaders.DLQ_SOURCE + "`", "`" + AuditHeaders.DLQ_ORIGIN + "`",
                "`" + AuditHeaders.DLQ_SIZE + "`", "`" + AuditHeaders.DLQ_SHA256 + "`",
                "`" + AuditHeaders.DLQ_CONTENT_HASH + "`", "`" + AuditHeaders.DLQ_FIRST_CONTENT_HASH + "`",
                "`" + AuditHeaders.DLQ_RECEIVER + "`", "`" + AuditHeaders.DLQ_HTTP_STATUS + "`");
    }
}
