// @ts-check
// Loaded before the program (Pulumi.yaml, nodeargs): runs the program's
// TypeScript files through sucrase, which strips their types and checks none
// (`npm run build` does), as sucrase/register/ts does, but keeps each result
// under node_modules/.cache, by a hash of the file's text and sucrase's
// version. An edited file has a new hash, so it is transpiled again on the run
// after the edit; an unchanged one is read back, and sucrase is not even
// loaded (0.15-0.2 s of every run). No source maps: sucrase keeps every line
// where it was, so stack traces name the right lines without them, and
// Pulumi's source-map-support has none to parse.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const pirates = require("pirates");

const transforms = /** @type {const} */ (["imports", "typescript"]);
const sucraseVersion = JSON.parse(fs.readFileSync(require.resolve("sucrase/package.json"), "utf8")).version;
const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "clipper-swarm-ts");

pirates.addHook(cachedTranspile, { exts: [".ts"], ignoreNodeModules: true });

/** The JavaScript of a TypeScript file: from the cache, or sucrase's, then kept. */
function cachedTranspile(/** @type {string} */ code, /** @type {string} */ filePath) {
  const key = crypto.createHash("sha256").update(`${sucraseVersion}\0${transforms.join(",")}\0${code}`).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    const js = require("sucrase").transform(code, { transforms: [...transforms], filePath }).code;
    keep(cached, js);
    return js;
  }
}

/** Writes `js` to `file` whole or not at all (a concurrent run may write the same); a cache that cannot be written is skipped. */
function keep(/** @type {string} */ file, /** @type {string} */ js) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, js);
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}
