package io.auditkeeper.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RawJsonTest {
    @Test
    void shouldWriteTheBytesVerbatimWhenEmbeddedInAnObject() throws Exception {
        ObjectNode o = AuditJson.mapper().createObjectNode();
        o.put("a", 1);
        o.set("raw", RawJson.node("{\"x\" : [1,2]}".getBytes(StandardCharsets.UTF_8)));
        assertThat(AuditJson.mapper().writeValueAsString(o)).isEqualTo("{\"a\":1,\"raw\":{\"x\" : [1,2]}}");
    }

    @Test
    void shouldWriteOnlyTheSliceWhenGivenAnOffsetAndLength() throws Exception {
        byte[] whole = "{\"requestObject\":{\"kind\":\"Pod\"},\"z\":true}".getBytes(StandardCharsets.UTF_8);
        int from = "{\"requestObject\":".length();
        int to = from + "{\"kind\":\"Pod\"}".length();
        ObjectNode o = AuditJson.mapper().createObjectNode();
        o.set("body", RawJson.node(whole, from, to - from));
        assertThat(AuditJson.mapper().writeValueAsString(o)).isEqualTo("{\"body\":{\"kind\":\"Pod\"}}");
        assertThat(AuditJson.mapper().writeValueAsBytes(o)).isEqualTo("{\"body\":{\"kind\":\"Pod\"}}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseASliceOutsideTheArray() {
        assertThatThrownBy(() -> RawJson.node(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
