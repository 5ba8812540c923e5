package io.auditkeeper.cli.investigate;

import picocli.CommandLine.Option;

import java.util.List;

/**
 * The event filter options of the replay commands, declared once so that {@code replay kafka} and
 * {@code replay archive} filter with the same words and the same meaning ({@link EventFilter}).
 */
public final class FilterOptions {
    @Option(names = "--cluster", paramLabel = "<name>", description = "Only events of this cluster.")
    List<String> clusters;

    @Option(names = "--namespace", paramLabel = "<ns>", description = "Only events on objects in this namespace (objectRef.namespace).")
    List<String> namespaces;

    @Option(names = "--actor", paramLabel = "<user>", description = "Only events of this actor (the effective user).")
    List<String> actors;

    @Option(names = "--verb", paramLabel = "<verb>", description = "Only events with this verb (get, list, create, ...).")
    List<String> verbs;

    @Option(names = "--resource", paramLabel = "<resource>", description = "Only events on this resource (objectRef.resource: secrets, pods, ...).")
    List<String> resources;

    @Option(names = "--rule", paramLabel = "<id>", description = "Only events flagged by this PHI rule (phi.rules).")
    List<String> rules;

    EventFilter filter() {
        return new EventFilter(EventFilter.of(clusters), EventFilter.of(namespaces), EventFilter.of(actors),
                EventFilter.of(verbs), EventFilter.of(resources), EventFilter.of(rules));
    }
}
