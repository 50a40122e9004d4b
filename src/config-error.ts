/** A bad command line, environment or config file: the message says how to fix it. */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** Set when the command line itself was wrong: the usage to show after the message. */
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}
