/**
 * Reading YAML maps field by field while keeping where each value came from, so
 * that every problem can be reported as FILE:LINE: FIELD, earliest first.
 *
 * Not a schema library: zod and valibot check a map all or nothing, and some
 * checks must see a host's valid fields in spite of its other problems (a
 * duplicate name, a key missing unless defaults further down has one).
 */
import { isAlias, isMap, isScalar, isSeq } from "yaml";
import type { LineCounter, Node, YAMLMap } from "yaml";

/** A problem found in the file. */
export interface Problem {
  /** Character offset of the offending node, to report the earliest first. */
  offset: number;
  /** 1-based line of the offending node. */
  line: number;
  /** Path of the offending field, e.g. `hosts[1].address`. */
  field: string;
  /** What is wrong, without the location. */
  problem: string;
}

/** A field's value with where it came from, for error locations. */
export interface Value<T> {
  /** The value, read and checked. */
  value: T;
  /** The YAML node it came from. */
  node: Node;
  /** Path of the field. */
  field: string;
}

/** Collects problems so the earliest in the file can be reported; `ctx` is what the reader needs besides the file. */
export class Checker<C> {
  private readonly problems: Problem[] = [];

  constructor(
    private readonly lines: LineCounter,
    readonly ctx: C,
  ) {}

  add(node: Node, field: string, problem: string): void {
    const offset = node.range?.[0] ?? 0;
    this.problems.push({ offset, line: this.lines.linePos(offset).line, field, problem });
  }

  line(node: Node): number {
    return this.lines.linePos(node.range?.[0] ?? 0).line;
  }

  first(): Problem | undefined {
    // Array.prototype.sort is stable: problems at one offset keep their check order.
    return [...this.problems].sort((a, b) => a.offset - b.offset)[0];
  }
}

/** The fields of one map, with unknown ones reported. */
export class Fields {
  private readonly values = new Map<string, Node>();
  /** An unknown field is often a misspelt known one, so it makes "missing" doubtful. */
  unknown = false;

  constructor(
    private readonly check: Checker<unknown>,
    readonly map: YAMLMap,
    private readonly at: string,
    allowed: readonly string[],
  ) {
    for (const pair of map.items) {
      const key = pair.key as Node;
      const name = isScalar(key) ? String(key.value) : describe(key);
      if (!allowed.includes(name)) {
        check.add(key, this.path(name), `unknown field; allowed: ${allowed.join(", ")}`);
        this.unknown = true;
      } else {
        // An empty value (`port:`) is a null scalar; fall back to the key for its location.
        this.values.set(name, (pair.value as Node | null) ?? key);
      }
    }
  }

  path(key: string): string {
    return this.at === "" ? key : `${this.at}.${key}`;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** Reports a missing field, unless a misspelling of it may be the actual problem. */
  missing(key: string, problem: string): void {
    if (!this.unknown) this.check.add(this.map, this.path(key), `missing; ${problem}`);
  }

  /** The raw node; absence is the caller's business. */
  node(key: string): Value<Node> | undefined {
    const node = this.values.get(key);
    return node && { value: node, node, field: this.path(key) };
  }

  /** A non-empty string; undefined when absent or invalid (the latter reported). */
  string(key: string): Value<string> | undefined {
    return readString(this.check, this.node(key));
  }

  /** true or false; undefined when absent or invalid (the latter reported). */
  boolean(key: string): Value<boolean> | undefined {
    return readBoolean(this.check, this.node(key));
  }

  /** One of the `allowed` strings; undefined when absent or invalid (the latter reported, naming the allowed ones). */
  choice<T extends string>(key: string, allowed: readonly T[]): Value<T> | undefined {
    return readChoice(this.check, this.node(key), allowed);
  }

  port(key: string): Value<number> | undefined {
    return readPort(this.check, this.node(key));
  }

  /** A string that `pattern` matches; undefined when absent or invalid (the latter reported). */
  matching(key: string, pattern: RegExp, problem: (value: string) => string): Value<string> | undefined {
    return readMatching(this.check, this.node(key), pattern, problem);
  }

  /** A nested map's fields; undefined when absent or not a map (the latter reported). */
  fields(key: string, allowed: readonly string[], expected: string): Fields | undefined {
    const v = this.node(key);
    if (!v) return undefined;
    if (!isMap(v.node)) {
      this.check.add(v.node, v.field, `must be ${expected}, not ${describe(v.node)}`);
      return undefined;
    }
    return new Fields(this.check, v.node, v.field, allowed);
  }
}

// Readers of one value, wherever it came from; each returns undefined when
// `v` is absent or invalid, and reports the latter.

/** A non-empty string. */
export function readString(check: Checker<unknown>, v: Value<Node> | undefined): Value<string> | undefined {
  if (!v) return undefined;
  const s = isScalar(v.node) ? v.node.value : undefined;
  if (typeof s === "string" && s !== "") return { ...v, value: s };
  check.add(v.node, v.field, s === "" ? "must not be empty" : `must be a string, not ${describe(v.node)}`);
  return undefined;
}

/** true or false. */
export function readBoolean(check: Checker<unknown>, v: Value<Node> | undefined): Value<boolean> | undefined {
  if (!v) return undefined;
  const b = isScalar(v.node) ? v.node.value : undefined;
  if (typeof b === "boolean") return { ...v, value: b };
  check.add(v.node, v.field, `must be true or false, not ${describe(v.node)}`);
  return undefined;
}

/** One of the `allowed` strings, which the report names. */
export function readChoice<T extends string>(check: Checker<unknown>, v: Value<Node> | undefined, allowed: readonly T[]): Value<T> | undefined {
  if (!v) return undefined;
  const s = isScalar(v.node) ? v.node.value : undefined;
  const chosen = allowed.find((a) => a === s);
  if (chosen !== undefined) return { ...v, value: chosen };
  const given = typeof s === "string" ? `"${s}"` : describe(v.node);
  check.add(v.node, v.field, `must be ${allowed.slice(0, -1).join(", ")} or ${allowed[allowed.length - 1]}, not ${given}`);
  return undefined;
}

/** A TCP port number. */
export function readPort(check: Checker<unknown>, v: Value<Node> | undefined): Value<number> | undefined {
  if (!v) return undefined;
  const n = isScalar(v.node) ? v.node.value : undefined;
  if (typeof n !== "number" || !Number.isInteger(n)) {
    check.add(v.node, v.field, `must be an integer port number (1-65535), not ${describe(v.node)}`);
    return undefined;
  }
  if (n < 1 || n > 65535) {
    check.add(v.node, v.field, `${n} is out of range (1-65535)`);
    return undefined;
  }
  return { ...v, value: n };
}

/** A string that `pattern` matches. */
export function readMatching(check: Checker<unknown>, v: Value<Node> | undefined, pattern: RegExp, problem: (value: string) => string): Value<string> | undefined {
  const s = readString(check, v);
  if (s && !pattern.test(s.value)) {
    check.add(s.node, s.field, problem(s.value));
    return undefined;
  }
  return s;
}

/** The kind of a node, for "must be X, not Y" messages; never the value (it might be a pasted key). */
export function describe(node: unknown): string {
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isAlias(node)) return "an alias (aliases are not supported)";
  if (!isScalar(node) || node.value === null) return "an empty value";
  switch (typeof node.value) {
    case "string": return "a string";
    case "number": return Number.isInteger(node.value) ? "an integer" : "a number";
    case "boolean": return String(node.value);
    default: return typeof node.value;
  }
}
