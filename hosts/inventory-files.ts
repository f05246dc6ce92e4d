/**
 * An inventory's YAML files: read, parsed with line positions, each with the
 * checker that reports its problems; and the error that names the file, the
 * line and the field at fault.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { Node } from "yaml";
import { Context, InventoryChecker, errorCode } from "./host-checks";
import { Checker } from "./yaml-fields";

/** A problem in the inventory; the message reads `FILE:LINE: FIELD: problem`. */
export class InventoryError extends Error {
  /** The file at fault, as given or as found beside the inventory. */
  readonly file: string;
  /** 1-based line of the offending node; undefined when the file cannot be read. */
  readonly line: number | undefined;
  /** Path of the offending field (`hosts[1].privateKey.path`); undefined when the whole file is wrong (unreadable, invalid YAML, not a map). */
  readonly field: string | undefined;
  /** The problem alone, without the location prefix. */
  readonly problem: string;

  constructor(file: string, line: number | undefined, field: string | undefined, problem: string) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(field === undefined ? `${where}: ${problem}` : `${where}: ${field}: ${problem}`);
    this.name = "InventoryError";
    this.file = file;
    this.line = line;
    this.field = field;
    this.problem = problem;
  }
}

/** A parsed YAML file of the inventory. */
export interface YamlFile {
  /** The file as messages name it: the inventory as given, a vars file by its path beside it. */
  name: string;
  /** The document's top node; null for an empty file. */
  top: Node | null;
  /** Reports problems in this file. */
  check: InventoryChecker;
}

/**
 * Reads and parses one file; an unreadable file or a YAML syntax error is an
 * InventoryError at once, since nothing in such a file can be checked.
 * `version` 1.1 reads YAML as Ansible does (yes and no are booleans).
 */
export function parseYamlFile(name: string, absFile: string, ctx: Context, version: "1.1" | "1.2"): YamlFile {
  let text: string;
  try {
    text = readFileSync(absFile, "utf8");
  } catch (err) {
    throw new InventoryError(name, undefined, undefined, `cannot read the inventory ${absFile} (${errorCode(err)})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version });
  const syntax = doc.errors[0];
  if (syntax) {
    // The yaml message ends with a snippet of the source; drop it so no file content is echoed.
    const message = syntax.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "");
    throw new InventoryError(name, syntax.linePos?.[0].line ?? 1, undefined, `invalid YAML: ${message}`);
  }
  return { name, top: doc.contents, check: new Checker(lines, ctx) };
}

/** Throws the earliest problem of the first file, in the order given, that has one. */
export function throwFirstProblem(files: YamlFile[]): void {
  for (const file of files) {
    const first = file.check.first();
    if (first) throw new InventoryError(file.name, first.line, first.field, first.problem);
  }
}
