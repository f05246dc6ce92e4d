/**
 * What Clipper's admin tools need from the cluster, as text: the `host_list`
 * file of clipper_admin and the seed procedure's test command.
 */

/** clipper_admin's `host_list`: the number of remote hosts, then one `ADDRESS:PORT` per line. */
export function hostList(endpoints: string[]): string {
  return [String(endpoints.length), ...endpoints].join("\n") + "\n";
}

/** The seed's test step: an interactive container on the overlay network, on the engine at `endpointUrl`. */
export function testCommand(endpointUrl: string, networkName: string, image: string, tls = false): string {
  // With mutual TLS, the client files come from DOCKER_CERT_PATH (npm run tls -- client DIR).
  return `docker ${tls ? "--tlsverify " : ""}-H ${endpointUrl} run -it --rm --net ${networkName} ${image}`;
}
