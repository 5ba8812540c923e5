package io.auditkeeper.config;

import java.nio.file.Path;

/**
 * The command line every service takes: {@code [--config FILE]}, or the file named by {@code <PREFIX>CONFIG_FILE}.
 * One parser, so that every service reads its arguments the same way.
 */
public final class ServiceArguments {
    private ServiceArguments() {
    }

    /**
     * The configuration file, or null for environment variables only. Prints usage and exits 0 on {@code --help},
     * exits 2 on an unknown argument.
     */
    public static Path configFile(String[] args, ConfigLoader loader, String program, String docs) {
        String usage = "usage: " + program + " [--config FILE]   (settings: " + docs + "; or " + loader.configFileEnvName() + ")";
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--config") || args[i].equals("-c")) && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(usage);
                System.exit(0);
            } else {
                System.err.println("unknown argument: " + args[i] + " (" + usage + ")");
                System.exit(2);
            }
        }
        String fromEnv = System.getenv(loader.configFileEnvName());
        return file == null && fromEnv != null ? Path.of(fromEnv) : file;
    }
}
