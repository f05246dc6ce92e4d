/**
 * What a host's plain values must be, whoever gives them: the inventory
 * reader with a file and line, the component with the path of its argument.
 */
import { isIP } from "node:net";

/**
 * A host's part in the swarm: a manager holds the swarm's state and joins with
 * the manager token; a worker joins with the worker token.
 */
export const Role = { Manager: "manager", Worker: "worker" } as const;
/** A host's part in the swarm: `manager` or `worker`. */
export type Role = (typeof Role)[keyof typeof Role];

/** The roles a host may take. */
export const ROLES: readonly Role[] = Object.values(Role);

// Host names become part of Pulumi resource names, hence a single lower-case DNS label.
const HOST_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** An OpenSSH public key line: its type, then the key blob in base64, then an optional comment. */
export const HOST_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}( \S.*)?$/;

/** True for an IPv4 or IPv6 address (not a host name). */
export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0;
}

/** True for 0.0.0.0 and ::, which bind every interface (the daemon port has no authentication). */
export function isWildcardAddress(addr: string): boolean {
  // Any IPv6 spelling made only of zeros and colons (::, ::0, 0:0::0) is the wildcard.
  return addr === "0.0.0.0" || (isIpAddress(addr) && /^[0:]+$/.test(addr));
}

/** RFC 1123 host name; an all-numeric last label is refused so a mistyped IPv4 is not taken for a name. */
export function isDnsHostName(s: string): boolean {
  const labels = s.split(".");
  return s.length <= 253 && labels.every((l) => HOST_NAME.test(l.toLowerCase())) && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

/** The problem with a host's name, if any. */
export function nameProblem(v: string): string | undefined {
  return HOST_NAME.test(v)
    ? undefined
    : `"${v}" is not a valid name: lower-case letters, digits and "-", at most 63, not starting or ending with "-" (it becomes part of resource names)`;
}

/** The problem with the address SSH connects to, if any. */
export function addressProblem(v: string): string | undefined {
  return isIpAddress(v) || isDnsHostName(v) ? undefined : `"${v}" is not an IP address or DNS host name`;
}

/** The problem with an advertise address, if any. */
export function advertiseProblem(v: string): string | undefined {
  return isIpAddress(v) ? undefined : `"${v}" is not an IP address; swarm advertises and listens on an IP, so a host name is not accepted here`;
}

/** Why an address that is a host name needs an advertise address beside it. */
export function advertiseNeeded(address: string): string {
  return `address "${address}" is a host name, and swarm advertises and listens on an IP address; give this host's IP`;
}

/** Why a value is not an SSH public host key line. */
export function hostKeyProblem(v: string): string {
  return `"${v.slice(0, 40)}${v.length > 40 ? "..." : ""}" is not an SSH public host key line ("ssh-ed25519 AAAA...", as ssh-keyscan -t ed25519 ADDRESS prints it)`;
}

/**
 * The order of hosts wherever the stack picks one host or lists them: by name,
 * so that reordering an inventory changes nothing on the hosts or in the outputs.
 */
export function compareHostNames(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
