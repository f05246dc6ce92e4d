/**
 * What a host's plain values must be, whoever gives them: the inventory
 * reader with a file and line, the component with the path of its argument.
 */
import { BlockList, isIP } from "node:net";

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

/** Address ranges that no other host reaches, each with what its addresses are. */
const unreachableRanges = (
  [
    ["0.0.0.0", 8, "ipv4", "an unspecified address"],
    ["127.0.0.0", 8, "ipv4", "a loopback address"],
    ["169.254.0.0", 16, "ipv4", "a link-local address"],
    ["224.0.0.0", 4, "ipv4", "a multicast address"],
    ["240.0.0.0", 4, "ipv4", "a reserved or broadcast address"],
    ["::", 128, "ipv6", "the unspecified address"],
    ["::1", 128, "ipv6", "the loopback address"],
    ["fe80::", 10, "ipv6", "a link-local address"],
    ["ff00::", 8, "ipv6", "a multicast address"],
  ] as const
).map(([network, prefix, family, what]) => {
  const range = new BlockList();
  range.addSubnet(network, prefix, family);
  return { range, family, what };
});

/** The problem with an advertise address, if any: it must be an IP address that the other hosts can reach. */
export function advertiseProblem(v: string): string | undefined {
  return advertiseFault(v, "give an address of this host's that they can");
}

/**
 * The problem with an IP address that stands as the advertise address because
 * none is given, if any: it must be one the other hosts can reach too.
 */
export function impliedAdvertiseProblem(v: string): string | undefined {
  return advertiseFault(v, "as no advertise address is given, it would be this host's: give one they can reach");
}

/** What is wrong with advertise address `v`, then `wayOut`; undefined when nothing is. */
function advertiseFault(v: string, wayOut: string): string | undefined {
  if (!isIpAddress(v)) return `"${v}" is not an IP address; swarm advertises and listens on an IP, so a host name is not accepted here`;
  if (v.includes("%")) return `"${v}" has a zone ID, which scopes it to one interface of this host, and which systemd takes for a specifier; ${wayOut}`;
  const family = isIP(v) === 4 ? "ipv4" : "ipv6";
  const match = unreachableRanges.find((r) => r.family === family && r.range.check(v, family));
  return match && `"${v}" is ${match.what}, which the other hosts cannot reach; ${wayOut}`;
}

/** The problem with an address to bind, if any: an IP address, which systemd's units can hold. */
export function bindProblem(v: string): string | undefined {
  if (!isIpAddress(v)) return `"${v}" is not an IP address; give one such as 0.0.0.0, or unset it to bind each host's advertise address`;
  return v.includes("%") ? `"${v}" has a zone ID, which systemd takes for a specifier; give the address without it` : undefined;
}

/** An IP address's IP family, as a word for messages. */
export function ipFamily(address: string): "IPv4" | "IPv6" {
  return isIP(address) === 6 ? "IPv6" : "IPv4";
}

/**
 * An IP address in one spelling (RFC 5952 for IPv6: lower case, zeros
 * compressed), so that two spellings of one address compare equal; any
 * other text as it is, in lower case.
 */
export function canonicalAddress(address: string): string {
  if (!isIpAddress(address) || address.includes("%")) return address.toLowerCase();
  return new URL(`http://${isIP(address) === 6 ? `[${address}]` : address}`).hostname.replace(/^\[|\]$/g, "");
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
