// Prints the package.json of the library's npm package (scripts/package.sh):
// its dependencies are the packages that the sources in components/ import, at the
// versions the repository pins, and TypeScript, which its component provider
// reads its schema with.
import { readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import * as path from "node:path";
import * as ts from "typescript";

const root = path.resolve(__dirname, "..", "..");
const components = path.join(root, "components");
const repository = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  version: string;
  description: string;
  license: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The npm packages a TypeScript source imports (`@scope/name` or `name`, without subpaths), as TypeScript reads its imports. */
export function importedPackages(source: string): string[] {
  const specifiers = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
  return specifiers
    .filter((s) => !s.startsWith(".") && !isBuiltin(s))
    .map((s) => s.split("/").slice(0, s.startsWith("@") ? 2 : 1).join("/"));
}

/** The package's manifest. */
export function manifest(): object {
  const imported = new Set(
    readdirSync(components, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => importedPackages(readFileSync(path.join(components, f), "utf8"))),
  );
  imported.add("typescript");
  const dependencies = Object.fromEntries(
    [...imported].sort().map((name) => {
      const version = repository.dependencies[name] ?? repository.devDependencies[name];
      if (!version) throw new Error(`components import ${name}, which package.json's dependencies do not pin`);
      return [name, version];
    }),
  );
  return {
    name: "clipper-swarm",
    version: repository.version,
    description: "ClipperSwarm, a Pulumi component: Clipper's multi-host Docker Swarm (daemon TCP endpoints, a swarm, the clipper_network overlay) over SSH.",
    license: repository.license,
    main: "dist/index.js",
    types: "dist/index.d.ts",
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    files: ["dist", "*.ts", "tsconfig.json", "PulumiPlugin.yaml", "pulumi-resource-clipper-swarm"],
    engines: repository.engines,
    dependencies,
  };
}

if (require.main === module) process.stdout.write(JSON.stringify(manifest(), null, 2) + "\n");
