import * as pulumi from "@pulumi/pulumi";

/**
 * The value of `output`, or undefined where a preview leaves it unknown (a
 * host whose address a VM yet to be made gives): for facts gathered across
 * hosts, where one unknown host must not hide what the others show.
 */
export function knownValue<T>(output: pulumi.Output<T>): Promise<T | undefined> {
  // The SDK resolves this once it knows whether the value is known; no public API tells.
  const known = (output as unknown as { isKnown: Promise<boolean> }).isKnown;
  return new Promise<T | undefined>((resolve, reject) => {
    output.apply((value) => resolve(value));
    known.then((isKnown) => isKnown || resolve(undefined), reject);
  });
}
