package io.auditkeeper.streams.normalize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GkeLogEntryTranslatorTest {
    @Test
    void shouldReadTheObjectReferenceFromEveryShapeOfResourceName() throws Exception {
        assertThat(ref("core/v1/namespaces/phi-records/secrets/db"))
                .isEqualTo("{\"resource\":\"secrets\",\"namespace\":\"phi-records\",\"name\":\"db\",\"apiGroup\":\"\",\"apiVersion\":\"v1\"}");
        assertThat(ref("core/v1/namespaces/phi-records/pods/ehr-0/exec"))
                .isEqualTo("{\"resource\":\"pods\",\"namespace\":\"phi-records\",\"name\":\"ehr-0\",\"subresource\":\"exec\",\"apiGroup\":\"\",\"apiVersion\":\"v1\"}");
        assertThat(ref("core/v1/namespaces/phi-records/secrets"))
                .as("a list or create names the collection").isEqualTo("{\"resource\":\"secrets\",\"namespace\":\"phi-records\",\"apiGroup\":\"\",\"apiVersion\":\"v1\"}");
        assertThat(ref("core/v1/namespaces/phi-records"))
                .as("a namespace itself").isEqualTo("{\"resource\":\"namespaces\",\"name\":\"phi-records\",\"apiGroup\":\"\",\"apiVersion\":\"v1\"}");
        assertThat(ref("rbac.authorization.k8s.io/v1/clusterrolebindings/admins"))
                .isEqualTo("{\"resource\":\"clusterrolebindings\",\"name\":\"admins\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"apiVersion\":\"v1\"}");
    }

    @Test
    void shouldRefuseAResourceNameThatIsNoKubernetesPath() {
        for (String name : new String[]{"projects/p/zones/z/clusters/c/x/y/z/w", "core/v1", "core//namespaces/x/secrets", "a b/v1/pods"}) {
            assertThatThrownBy(() -> GkeLogEntryTranslator.objectRef(name)).as(name)
                    .isInstanceOf(GkeLogEntryTranslator.UnmappableLogEntryException.class);
        }
    }

    @Test
    void shouldMapGrpcStatusCodesToTheHttpStatusTheApiserverAnswered() {
        assertThat(GkeLogEntryTranslator.httpStatus(0)).isEqualTo(200);
        assertThat(GkeLogEntryTranslator.httpStatus(7)).isEqualTo(403);
        assertThat(GkeLogEntryTranslator.httpStatus(5)).isEqualTo(404);
        assertThat(GkeLogEntryTranslator.httpStatus(6)).isEqualTo(409);
        assertThat(GkeLogEntryTranslator.httpStatus(16)).isEqualTo(401);
        assertThat(GkeLogEntryTranslator.httpStatus(8)).isEqualTo(429);
        assertThat(GkeLogEntryTranslator.httpStatus(2)).isEqualTo(500);
    }

    private static String ref(String resourceName) throws Exception {
        ObjectNode ref = GkeLogEntryTranslator.objectRef(resourceName);
        return ref.toString();
    }
}
