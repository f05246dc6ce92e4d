// The library's entry: the one component a program makes, and its argument types.
export { ClipperSwarm, Role } from "./clipper-swarm";
export type { ClipperHost, ClipperSwarmArgs, EngineTlsCertificates } from "./clipper-swarm";
