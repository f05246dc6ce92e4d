import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/**
 * How long certificates live, in hours, and how long before the end any `up`
 * renews them. The CA's renewal re-signs every certificate, so it comes rarely.
 */
const validity = {
  ca: { validityPeriodHours: 10 * 365 * 24, earlyRenewalHours: 365 * 24 },
  leaf: { validityPeriodHours: 365 * 24, earlyRenewalHours: 30 * 24 },
};

export interface EngineCaArgs {
  /**
   * The CA's private key (PEM): a secret of the stack's config, made once, so
   * that a destroy and up, or a new state, keeps the same CA.
   */
  caKey: pulumi.Input<string>;
  /** The operator's client key (PEM), a secret from the stack's config likewise. */
  clientKey: pulumi.Input<string>;
}

/**
 * The certificate authority of the stack's engines: a self-signed CA
 * certificate over the configured key, the operator's client certificate, and
 * each engine's server certificate (see `engineCert`). Certificates are
 * public and kept in the state; the CA and client keys are secrets, and each
 * engine's key never leaves its host.
 */
export class EngineCa extends pulumi.ComponentResource {
  /** The CA certificate (PEM), which every engine and client trusts. */
  public readonly caCert: pulumi.Output<string>;
  /** The operator's client certificate (PEM). */
  public readonly clientCert: pulumi.Output<string>;
  /** The operator's client key (PEM), a secret. */
  public readonly clientKey: pulumi.Output<string>;
  private readonly caKey: pulumi.Input<string>;

  constructor(name: string, args: EngineCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clipper-swarm:index:EngineCa", name, {}, opts);
    this.caKey = args.caKey;
    const ca = new tls.SelfSignedCert(
      `${name}-cert`,
      {
        privateKeyPem: args.caKey,
        isCaCertificate: true,
        subject: { commonName: "clipper-swarm engine CA" },
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        ...validity.ca,
      },
      { parent: this },
    );
    this.caCert = ca.certPem;
    const request = new tls.CertRequest(
      `${name}-client-request`,
      { privateKeyPem: args.clientKey, subject: { commonName: "clipper-swarm operator" } },
      { parent: this },
    );
    this.clientCert = this.sign(`${name}-client`, request.certRequestPem, ["client_auth"], this);
    this.clientKey = pulumi.secret(args.clientKey);
    this.registerOutputs({ caCert: this.caCert, clientCert: this.clientCert });
  }

  /**
   * An engine's certificate for its certificate request (`csr`, made on the
   * host): it serves the engine's TCP endpoint, and is also the client
   * certificate the host's steps call their peers with.
   */
  public engineCert(name: string, csr: pulumi.Input<string>, parent: pulumi.Resource): pulumi.Output<string> {
    return this.sign(name, csr, ["server_auth", "client_auth"], parent);
  }

  private sign(name: string, csr: pulumi.Input<string>, uses: string[], parent: pulumi.Resource): pulumi.Output<string> {
    const cert = new tls.LocallySignedCert(
      name,
      {
        certRequestPem: csr,
        caPrivateKeyPem: this.caKey,
        caCertPem: this.caCert,
        allowedUses: ["digital_signature", "key_encipherment", ...uses],
        ...validity.leaf,
      },
      { parent },
    );
    return cert.certPem;
  }
}

/** The subject alternative names of an engine's certificate, as openssl's `-addext subjectAltName=` takes them. */
export function subjectAltNames(names: string[], isIp: (name: string) => boolean): string {
  return [...new Set(names)].map((n) => (isIp(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
}
