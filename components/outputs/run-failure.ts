import * as pulumi from "@pulumi/pulumi";

/**
 * Fails the run with `message` as its one error, and gives a promise that
 * never settles, so that nothing waiting on it goes ahead.
 *
 * An error that reaches resources through their inputs is reported with
 * "error serializing property ..." prepended once per input it went through;
 * an uncaught RunError is reported as it is, once. (The program is still
 * running then: its outputs wait for the resources that wait on this.)
 */
export function failRun(message: string): Promise<never> {
  const err = new pulumi.RunError(message);
  // The report never shows a RunError's stack, but it still formats it once,
  // through the source maps of every frame, at a great cost in CPU.
  err.stack = message;
  // Thrown on a tick of its own: an unhandled rejection's report can hold the
  // program's event loop for a long time.
  process.nextTick(() => {
    throw err;
  });
  return new Promise<never>(() => undefined);
}
