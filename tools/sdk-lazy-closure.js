// @ts-check
// Loaded before the program (Pulumi.yaml, nodeargs). @pulumi/pulumi's index
// loads its function serialization (runtime/closure) on every run, and with it
// npm's arborist and the TypeScript compiler: about 0.55 s of the program's
// load, for code that only programs serializing a function (dynamic providers,
// callbacks) ever call. This program calls none, so those two modules are
// loaded on their first call instead. Any other use of them (a property read
// that is not one of the functions named here, a newer SDK with other names)
// loads them at once, as the SDK would have.
"use strict";
const Module = require("module");
const path = require("path");

/** The closure modules' exports that the SDK's runtime index reads as it loads, by file. */
const deferred = new Map([
  ["codePaths.js", ["computeCodePaths"]],
  ["serializeClosure.js", ["serializeFunction", "serializeFunctionAsync"]],
]);

/** runtime/closure of the SDK the program resolves, from the project's folder. */
const closureDir = path.join(path.dirname(require.resolve("@pulumi/pulumi/runtime/index.js", { paths: [process.cwd()] })), "closure");

/** @type {(request: string, parent: unknown, isMain: boolean) => unknown} */
// @ts-expect-error Module._load is node's internal loader, not in its types.
const load = Module._load;

// @ts-expect-error see above
Module._load = function (/** @type {string} */ request, /** @type {NodeModule | undefined} */ parent, /** @type {boolean} */ isMain) {
  const names = request.startsWith("./closure/") && parent ? deferredNames(path.resolve(path.dirname(parent.filename), request)) : undefined;
  if (!names) return load.call(this, request, parent, isMain);
  /** @type {Record<string, unknown> | undefined} */
  let real;
  const module = () => (real ??= /** @type {Record<string, unknown>} */ (load.call(this, request, parent, isMain)));
  return new Proxy(
    {},
    {
      get(_, key) {
        if (key === "__esModule") return true;
        if (typeof key === "string" && names.includes(key)) {
          return (/** @type {unknown[]} */ ...args) => /** @type {(...a: unknown[]) => unknown} */ (module()[key])(...args);
        }
        return module()[/** @type {string} */ (key)];
      },
    },
  );
};

/** The deferred exports of the module at `file`, if it is one of the closure modules. */
function deferredNames(/** @type {string} */ file) {
  if (path.dirname(file) !== closureDir) return undefined;
  return deferred.get(path.basename(file).replace(/(\.js)?$/, ".js"));
}
