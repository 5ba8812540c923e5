package io.auditkeeper.streams.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The PHI access rules in force: the default rules shipped with the service ({@value #DEFAULT_RESOURCE}), changed by an
 * optional user file. In the user file, a rule whose id is a default rule's replaces it (in the default's place), a new
 * id adds a rule (after the defaults, in file order), and {@code enabled: false} on a default rule's id disables it.
 * Immutable.
 */
public final class RuleSet {
    /** Classpath location of the default rules. */
    public static final String DEFAULT_RESOURCE = "io/auditkeeper/streams/rules/default-rules.yaml";

    private static volatile RuleSet defaults;

    private final List<Rule> rules;

    private RuleSet(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The default rules shipped with the service. */
    public static RuleSet defaults() {
        RuleSet d = defaults;
        if (d == null) {
            synchronized (RuleSet.class) {
                d = defaults;
                if (d == null) {
                    d = readDefaults();
                    defaults = d;
                }
            }
        }
        return d;
    }

    /**
     * The default rules changed by {@code userFile}.
     *
     * @throws RuleFileException naming the file, the rule and the field, when the file cannot be read or is invalid
     */
    public static RuleSet load(Path userFile) {
        Objects.requireNonNull(userFile, "userFile");
        byte[] content;
        try {
            content = Files.readAllBytes(userFile);
        } catch (IOException e) {
            String name = userFile.toString();
            throw new RuleFileException(name, List.of(name + ": cannot read the rule file ("
                    + e.getClass().getSimpleName() + ")"));
        }
        return load(userFile.toString(), content);
    }

    /** The default rules changed by the rule file {@code content}, which {@code source} names in messages. */
    static RuleSet load(String source, byte[] content) {
        return merge(defaults(), source, RuleFileParser.parse(source, content));
    }

    /** Only the rules of {@code content}, without the defaults (for tests and tools). */
    static RuleSet only(String source, byte[] content) {
        return merge(new RuleSet(List.of()), source, RuleFileParser.parse(source, content));
    }

    /** The rules in force, in rule-file order (defaults first, then rules the user file adds). */
    public List<Rule> rules() {
        return rules;
    }

    /** The rule with this id, if it is in force. */
    public Optional<Rule> rule(String id) {
        for (Rule r : rules) {
            if (r.id().equals(id)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The ids of the rules in force, in order. */
    public List<String> ids() {
        return rules.stream().map(Rule::id).toList();
    }

    @Override
    public String toString() {
        return "RuleSet" + ids();
    }

    private static RuleSet readDefaults() {
        try (InputStream in = RuleSet.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new RuleFileException(DEFAULT_RESOURCE, List.of(DEFAULT_RESOURCE
                        + ": not found on the classpath"));
            }
            return merge(new RuleSet(List.of()), DEFAULT_RESOURCE,
                    RuleFileParser.parse(DEFAULT_RESOURCE, in.readAllBytes()));
        } catch (IOException e) {
            throw new RuleFileException(DEFAULT_RESOURCE, List.of(DEFAULT_RESOURCE + ": cannot be read ("
                    + e.getClass().getSimpleName() + ")"));
        }
    }

    private static RuleSet merge(RuleSet base, String source, List<RuleFileParser.Entry> entries) {
        Map<String, Rule> byId = new LinkedHashMap<>();
        for (Rule r : base.rules) {
            byId.put(r.id(), r);
        }
        Set<String> known = byId.keySet().stream().collect(Collectors.toUnmodifiableSet());
        List<String> problems = new ArrayList<>();
        for (RuleFileParser.Entry e : entries) {
            if (e.enabled()) {
                byId.put(e.id(), e.rule()); // replaces in place, or appends
            } else if (known.contains(e.id())) {
                byId.remove(e.id());
            } else if (e.rule() == null) {
                problems.add(source + ": rule '" + e.id() + "', field 'enabled': no rule with this id to disable"
                        + (known.isEmpty() ? "" : " (rules in force: " + String.join(", ", known.stream().sorted()
                        .toList()) + ")"));
            }
            // a complete rule with enabled: false and a new id: defined but not in force
        }
        if (!problems.isEmpty()) {
            throw new RuleFileException(source, problems);
        }
        return new RuleSet(new ArrayList<>(byId.values()));
    }
}
