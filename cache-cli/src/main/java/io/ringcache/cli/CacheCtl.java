package io.ringcache.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cachectl}: the ringcache admin and user command line. */
@Command(
    name = "cachectl",
    mixinStandardHelpOptions = true,
    versionProvider = CacheCtl.Version.class,
    description = "Administer and use a ringcache cluster.",
    subcommands = {
      StatusCommand.class,
      AddCommand.class,
      RemoveCommand.class,
      WeightCommand.class,
      LocateCommand.class,
      DataCommands.Get.class,
      DataCommands.Put.class,
      DataCommands.Del.class,
      RingCommand.class,
      ClusterCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Exit codes: 0 success, 1 failure, 2 bad arguments."})
public final class CacheCtl implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin AdminOptions admin;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, as {@code main} runs it (tests use it too). */
  public static CommandLine commandLine() {
    return new CommandLine(new CacheCtl())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(
            (e, commandLine, parseResult) -> {
              // a failure the user can act on: one line, no stack trace
              String message = e instanceof CliException || e.getMessage() != null ? e.getMessage() : e.toString();
              commandLine.getErr().println("cachectl: " + message);
              commandLine.getErr().flush();
              return CommandLine.ExitCode.SOFTWARE;
            });
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: see cachectl --help");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = CacheCtl.class.getPackage().getImplementationVersion();
      return new String[] {"cachectl " + (version == null ? "(development build)" : version)};
    }
  }
}
