// Serves ClipperSwarm to Pulumi programs in any language, as a component
// provider: the schema comes from the TypeScript sources beside this file's
// package.json, the constructor from the compiled class.
import * as path from "node:path";
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { ClipperSwarm } from "./clipper-swarm";

componentProviderHost({ name: "clipper-swarm", dirname: path.resolve(__dirname, ".."), components: [ClipperSwarm] });
