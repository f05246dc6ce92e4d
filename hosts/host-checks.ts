/**
 * The checks a host's values get in every inventory format, so that the same
 * mistake reads the same in each: names, addresses, keys, host keys, and the
 * rules about the whole list of hosts.
 */
import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import type { Node } from "yaml";
import type { HostSpec, PathKey } from "./host-spec";
import { Checker, Value } from "./yaml-fields";

import { canonicalAddress, impliedAdvertiseProblem, ipFamily } from "../components/cluster/host-rules";

export {
  HOST_KEY, ROLES, addressProblem, advertiseNeeded, advertiseProblem, hostKeyProblem, isIpAddress, nameProblem,
} from "../components/cluster/host-rules";

// Secrets are read from the clipper-swarm namespace, so a ":" would be a mistake.
export const CONFIG_KEY = /^[A-Za-z0-9_.-]+$/;

/** What key paths and the agent form depend on outside the file. */
export interface Context {
  /** Folder of the inventory file; relative key paths start there. */
  dir: string;
  /** The home folder, for `~` in key paths. */
  home: string;
  /** SSH_AUTH_SOCK, when an agent runs. */
  agentSocket: string | undefined;
}

export type InventoryChecker = Checker<Context>;

/** Why a value is not the name of a stack config secret. */
export function configKeyProblem(v: string): string {
  return `"${v}" is not a stack config key name (letters, digits, "_", "." or "-", without the "clipper-swarm:" namespace)`;
}

/** `v` when `problem` finds nothing wrong with it; else reports and gives undefined. */
export function valid(check: Checker<unknown>, v: Value<string> | undefined, problem: (s: string) => string | undefined): Value<string> | undefined {
  const found = v && problem(v.value);
  if (v && found) {
    check.add(v.node, v.field, found);
    return undefined;
  }
  return v;
}

/** A private key file named in the inventory, resolved and checked; never echoes its contents. */
export function keyFile(check: InventoryChecker, file: Value<string>, passphraseSecret: string | undefined): PathKey | undefined {
  const abs = path.resolve(check.ctx.dir, expandHome(file.value, check.ctx.home));
  const problem = keyFileProblem(abs);
  if (problem) {
    check.add(file.node, file.field, problem);
    return undefined;
  }
  return { kind: "path", path: abs, ...(passphraseSecret && { passphraseSecret }) };
}

function keyFileProblem(abs: string): string | undefined {
  let text: string;
  try {
    // A FIFO or device would block or never end; only regular files can hold a key.
    if (!statSync(abs).isFile()) return `${abs} is not a regular file`;
    text = readFileSync(abs, "utf8");
  } catch (err) {
    return `cannot read private key file ${abs} (${errorCode(err)})`;
  }
  return text.includes("PRIVATE KEY-----")
    ? undefined
    : `${abs} is not a private key (no "PRIVATE KEY-----" line; is it the .pub file?)`;
}

function expandHome(p: string, home: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(home, p.slice(1)) : p;
}

export function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/** A host's valid parts, for the checks across hosts, and its spec when all are valid. */
export interface HostRead {
  spec?: HostSpec;
  name?: Value<string>;
  address?: Value<string>;
  port?: number;
  advertise?: Value<string>;
  /** The advertise address is the address's own, not given. */
  advertiseImplied: boolean;
}

/**
 * Finds values that two hosts share and must not: names, SSH endpoints and
 * advertise addresses. Each field is compared as soon as it is valid, so a
 * duplicate is not hidden by a problem elsewhere in the same host.
 */
export class HostClaims {
  private readonly names = new Seen();
  private readonly endpoints = new Seen();
  private readonly advertised = new Seen();

  /**
   * Claims the values of host `at` (hosts[1], or host "node1"), whose nodes
   * `check` reports on; `file` names that check's file in messages about a
   * value that another file claimed first.
   */
  claim(check: Checker<unknown>, host: HostRead, at: string, file = ""): void {
    const claim = (seen: Seen, v: Value<unknown>, key: string, what: string) => {
      const prior = seen.get(key);
      if (!prior) seen.set(key, { at, line: check.line(v.node), file });
      else check.add(v.node, v.field, `${what} is already used by ${prior.at} (${prior.file === file ? "" : `${prior.file} `}line ${prior.line})`);
    };
    if (host.name) claim(this.names, host.name, host.name.value, `"${host.name.value}"`);
    if (host.address && host.port) {
      // Several hosts may sit behind one address on different ports (NAT, port forwarding).
      const { value } = host.address;
      claim(this.endpoints, host.address, `${canonicalAddress(value)}:${host.port}`, `"${value}" port ${host.port}`);
    }
    if (host.advertise) {
      const from = host.advertiseImplied ? " (taken from address)" : "";
      claim(this.advertised, host.advertise, canonicalAddress(host.advertise.value), `advertise address "${host.advertise.value}"${from}`);
      this.claimFamily(check, host.advertise, at, file, from);
    }
  }

  /** The first advertise address's family, which every other host's must share: a swarm's nodes speak one IP family. */
  private family?: { family: string; at: string; line: number; file: string };

  private claimFamily(check: Checker<unknown>, advertise: Value<string>, at: string, file: string, from: string): void {
    const family = ipFamily(advertise.value);
    if (!this.family) this.family = { family, at, line: check.line(advertise.node), file };
    else if (this.family.family !== family) {
      const first = this.family;
      check.add(advertise.node, advertise.field,
        `advertise address "${advertise.value}"${from} is ${family}, and ${first.at}'s (${first.file === file ? "" : `${first.file} `}line ${first.line}) is ${first.family}: a swarm's hosts advertise addresses of one IP family`);
    }
  }
}

/**
 * The advertise address that a host's IP `address` implies when none is
 * given, or undefined after reporting why it cannot be one.
 */
export function impliedAdvertise(check: Checker<unknown>, address: Value<string>, field: string): Value<string> | undefined {
  const problem = impliedAdvertiseProblem(address.value);
  if (!problem) return { ...address, field };
  check.add(address.node, address.field, problem);
  return undefined;
}

class Seen extends Map<string, { at: string; line: number; file: string }> {}

/** The rules about the whole list, judged once every host was read without a problem. */
export function checkHostList(check: Checker<unknown>, list: Node, field: string, hosts: HostSpec[]): void {
  if (hosts.every((h) => h.gone)) {
    check.add(list, field, "every host is marked gone; the swarm needs at least one live host (to take it all down, run pulumi destroy)");
  } else if (!hosts.some((h) => !h.gone && h.role === "manager")) {
    check.add(list, field, "no live host is a manager, and a swarm of workers only cannot exist; give at least one live host role: manager");
  }
}
