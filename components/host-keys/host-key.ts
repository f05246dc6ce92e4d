import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";
import { describeKey, judgeHostKey } from "./host-key-trust";
import type { KnownHostEntry } from "./known-hosts";
import { knownKeysFor } from "./known-hosts";
import { knownValue } from "../outputs/known-value";
import { probeTransport } from "../remote/host-probe";
import { failRun } from "../outputs/run-failure";

/** A host whose SSH host key is checked, and how to reach it. */
export interface HostKeyTarget {
  /** The host's name, for messages. */
  hostName: string;
  /** Where SSH connects, and its port and login user. */
  address: pulumi.Input<string>;
  port: pulumi.Input<number>;
  user: pulumi.Input<string>;
  /** The key the host must show (`TYPE BASE64`), if its arguments pin one. */
  pinned?: pulumi.Input<string>;
  /** How often, and how long each time, to try a host that does not answer: as every other login to it. */
  dialErrorLimit?: pulumi.Input<number>;
  perDialTimeout?: pulumi.Input<number>;
}

/**
 * The host key that every login to the host pins for this run (`TYPE
 * BASE64`), once its pin, known_hosts or the stack's record vouches for the
 * key it shows; the run fails for a host that shows another, before anything
 * logs in to it, so no step runs there and no certificate is signed for it.
 *
 * A host that neither its pin nor known_hosts knows is recorded on first
 * contact in the stack (not in known_hosts): a `local.Command` whose output
 * is the key it first showed, and whose input ignores the key shown later,
 * so that a preview compares with it too. A new key is accepted as OpenSSH
 * accepts one, into known_hosts, which comes before the record; destroy, or
 * the host leaving the list, forgets the record.
 */
export function trustedHostKey(name: string, target: HostKeyTarget, knownHosts: KnownHostEntry[], parent: pulumi.Resource): pulumi.Output<string> {
  const seen = pulumi.all([target.address, target.port, target.user, target.pinned, target.dialErrorLimit, target.perDialTimeout]).apply(async ([host, port, user, pinned, dialErrorLimit, perDialTimeout]) => {
    const known = knownKeysFor(knownHosts, host, port);
    const keyTypes = [...new Set([...(pinned ? [pinned.split(" ")[0]] : []), ...known.keys.map((k) => k.keyType)])];
    const login = { host, port, user, dialErrorLimit, perDialTimeout };
    try {
      const shown = await probeTransport.scan(login, keyTypes);
      const vouchedByAuthority = !pinned && known.keys.length === 0 && known.authorities.length > 0;
      const certificate = vouchedByAuthority ? await probeTransport.scanCertificate(login) : undefined;
      return { shown, verdict: judgeHostKey({ host, port, pinned, known, shown, certificate, now: new Date() }) };
    } catch (err) {
      return failRun(
        `${target.hostName}: cannot look at the host: ${(err as Error).message}. ` +
          `If it is gone for good, take it out of the inventory, or mark it gone: true (hosts/README.md)`,
      );
    }
  });
  const record = new local.Command(
    `${name}-host-key`,
    {
      environment: { HOST: target.hostName, HOST_KEY: pulumi.unsecret(seen).shown, FINGERPRINT: pulumi.unsecret(seen).shown.apply(describeKey) },
      create: `printf '%s' "$HOST_KEY"; printf '%s: no known SSH host key; recorded %s, shown on first contact, in the stack\\n' "$HOST" "$FINGERPRINT" >&2`,
      logging: "stderr",
    },
    { parent, ignoreChanges: ["environment"] },
  );
  return pulumi.all([seen, target.address, target.port]).apply(async ([{ shown, verdict }, address, port]): Promise<string> => {
    if ("trust" in verdict) return verdict.trust;
    if ("refuse" in verdict) return failRun(`${target.hostName}: SSH host key refused: ${verdict.refuse}`);
    // A record made in this very run, or planned in a preview (unknown
    // there, and the preview still looks at the host), is of the key shown.
    const recorded = await knownValue(record.stdout);
    if (!recorded || recorded === shown) return shown;
    return failRun(
      `${target.hostName}: its SSH host key changed: it shows ${describeKey(shown)}, and the stack recorded ${describeKey(recorded)} ` +
        `on first contact. If the host was rebuilt on purpose, accept its new key into known_hosts, which comes before the record: ` +
        `ssh-keyscan -p ${port} ${address} >> ~/.ssh/known_hosts (or pin it as the host's hostKey)`,
    );
  });
}
