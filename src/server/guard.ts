/** Every handler runs guarded: a throw is logged to the client's console and answered with a fallback. */
export interface Logger {
  error(message: string): void;
}

export function guard<A extends unknown[], R>(log: Logger, name: string, fallback: R, fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      log.error(`ksd: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  };
}
