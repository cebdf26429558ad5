package io.ringcache.ring;

/** Argument guards whose messages say what was expected. */
final class Checks {

  private Checks() {}

  static void requireArgument(boolean expression, String template, Object... args) {
    if (!expression) {
      throw new IllegalArgumentException(String.format(template, args));
    }
  }
}
