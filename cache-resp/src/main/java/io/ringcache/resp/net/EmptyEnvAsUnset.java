package io.ringcache.resp.net;

import java.lang.reflect.AnnotatedElement;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Option;

/*
 * Picocli reads an option's default "${env:NAME:-fallback}" as the variable's value whenever the
 * variable exists, even when it is the empty string, so CACHE_NODE_METRICS_PORT= fails to start
 * ("'' is not an int") and CACHE_ADMIN_TOKEN= becomes a token "". docker compose passes
 * ${CACHE_ADMIN_TOKEN:-} through as exactly such an empty variable. This provider runs before the
 * annotation's own default and, for a variable that is set but empty, answers as if it were unset:
 * the fallback after ":-", or no value at all (picocli's _NULL_) when there is none. Variables that
 * are unset or non-empty are left to picocli's usual interpolation.
 */

/** Picocli default values in which an environment variable set to the empty string counts as unset. */
public final class EmptyEnvAsUnset implements CommandLine.IDefaultValueProvider {

  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?}");
  /** Picocli's marker for "no default value" (CommandLine.Model.ArgSpec.NULL_VALUE). */
  private static final String NO_VALUE = "_NULL_";

  private final Function<String, String> env;

  /** Reads the process environment. */
  public EmptyEnvAsUnset() {
    this(System::getenv);
  }

  /** Reads variables through {@code env} (null for unset), for tests. */
  public EmptyEnvAsUnset(Function<String, String> env) {
    this.env = Objects.requireNonNull(env, "env");
  }

  /** Sets a provider that reads the process environment on {@code commandLine}, and returns it. */
  public static CommandLine install(CommandLine commandLine) {
    return commandLine.setDefaultValueProvider(new EmptyEnvAsUnset());
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    String declared = declaredDefault(arg);
    if (declared == null) {
      return null;
    }
    Matcher m = ENV_DEFAULT.matcher(declared);
    if (!m.matches()) {
      return null;
    }
    String value = env.apply(m.group(1));
    if (value == null || !value.isEmpty()) {
      return null; // unset, or a real value: picocli's own interpolation of the declared default
    }
    return m.group(2) != null ? m.group(2) : NO_VALUE;
  }

  /** The default exactly as the @Option declares it, before picocli interpolates it. */
  private static String declaredDefault(ArgSpec arg) {
    if (arg.userObject() instanceof AnnotatedElement element) {
      Option option = element.getAnnotation(Option.class);
      if (option != null && !option.defaultValue().equals(Option.NULL_VALUE)) {
        return option.defaultValue();
      }
    }
    return null;
  }
}
