package io.ringcache.cli;

/** A failure cachectl reports in one line and exits 1 for. */
class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }
}
