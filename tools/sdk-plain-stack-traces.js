// @ts-check
// Loaded before the program (Pulumi.yaml, nodeargs). Pulumi's program runner
// installs source-map-support, so every stack trace taken in the process goes
// through the source maps of the files on it; and the SDK takes one for each
// resource it registers and each promise it tracks, whose frames are mostly
// its own files, whose maps it then reads and parses: 0.15-0.2 s of CPU in a
// run of 3 hosts, most of it while the program is being built. This marks the
// runner's `source-map-support/register` as loaded, so it installs nothing.
// The program's own files lose nothing: ts-transpile-cache.js transpiles them
// line for line, without maps. A trace through the SDK names its .js files.
"use strict";
const Module = require("module");
const path = require("path");

/** The `source-map-support/register` that the SDK's program runner requires, from the project's folder. */
const runner = path.dirname(require.resolve("@pulumi/pulumi/cmd/run/index.js", { paths: [process.cwd()] }));
const register = require.resolve("source-map-support/register", { paths: [runner] });

const loaded = new Module(register);
loaded.filename = register;
loaded.loaded = true;
require.cache[register] = loaded;
