package io.auditkeeper.localstack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Path;

/**
 * JUnit 5 extension that hands every test of the JVM the same {@link LocalStack}.
 *
 * <p>Starting Kafka, OpenSearch and Ceph costs seconds each, so all integration test classes of a module share one
 * instance: it is kept in the root extension store, which JUnit closes once after the last test. Use it with
 * {@code @ExtendWith(LocalStackExtension.class)} and a {@code LocalStack} parameter on a test, constructor or
 * lifecycle method, or call {@link #shared()} from a {@code @BeforeAll} of a class that carries the extension.
 * The work directory is {@code target/local-stack} under the current directory unless
 * {@value LocalStackSettings#STACK_DIR} says otherwise; the other {@code AUDITKEEPER_STACK_*} variables select
 * external servers (see {@link LocalStackSettings}).
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalStackExtension.class);
    private static LocalStack shared;

    /**
     * The JVM-wide instance, created on first call (nothing starts until a component is used). Closed by JUnit after
     * all tests when the extension is active; a later call after that gets a new instance.
     */
    public static synchronized LocalStack shared() {
        if (shared == null || shared.isClosed()) {
            shared = new LocalStack(LocalStackSettings.fromEnvironment(System.getenv(),
                Path.of("target", "local-stack")));
        }
        return shared;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        registered(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LocalStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return registered(extensionContext);
    }

    private static LocalStack registered(ExtensionContext context) {
        ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
        synchronized (LocalStackExtension.class) {
            LocalStack stack = root.getOrComputeIfAbsent(LocalStack.class, k -> shared(), LocalStack.class);
            if (stack.isClosed()) {
                stack = shared();
                root.put(LocalStack.class, stack);
            }
            return stack;
        }
    }
}
