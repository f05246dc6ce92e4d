import * as pulumi from "@pulumi/pulumi";

// Placeholder until the cluster components land: proves the toolchain runs the program.
export const stack = pulumi.getStack();
