// The certificate authority of the stack's engines, run inside the program.
//
// The CA and client keys are secrets of the stack's config. They are read
// here and never become a resource's input: Pulumi's -v=9 trace prints the
// value inside every secret that crosses its RPC, so a key handed to a
// provider would show there. Certificates are public, and they go to the
// hosts as the endpoint's inputs.
//
// The certificates come from engine-certificates.ts, loaded when the first
// one is made, so that a plain-TCP run never pays for loading X.509.
import { isIP } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";
import { writeClientFiles } from "./engine-client";
import { shellQuote } from "../remote/remote-script";

/** The module that makes the certificates, loaded on first use. */
const certificates = () => import("./engine-certificates");

export interface EngineCaArgs {
  /**
   * The CA's private key (PEM, EC P-256): a secret of the stack's config, made
   * once, so that a destroy and up, or a new state, keeps the same CA.
   */
  caKey: pulumi.Input<string>;
  /** The operator's client key (PEM, EC P-256), a secret of the stack's config likewise. */
  clientKey: pulumi.Input<string>;
  /**
   * While the CA is replaced, the first pass: the new CA's key, which every
   * engine and client trusts beside `caKey`'s, while `caKey` still signs.
   */
  nextCaKey?: pulumi.Input<string>;
  /**
   * While the CA is replaced, the second pass: the key of the CA that `caKey`
   * replaces. Engines no longer trust it; the operator still does, until every
   * engine holds a certificate of the new one.
   */
  previousCaKey?: pulumi.Input<string>;
  /**
   * The folder on this machine where the Docker providers find the client's
   * files (see providerClientFolder), and the command that removes it when
   * the stack goes: its name and parent. Undefined: there are no providers, and no files.
   */
  clientFolder?: { path: string; name: string; parent?: pulumi.Resource };
  /** The time the certificates are made for; now, unless a test says otherwise. */
  now?: Date;
}

/**
 * The stack's engine CA: its certificate, the operator's client certificate,
 * each engine's (see `engineCert`) and each manager's (see `managerCert`). Not a resource: nothing of it is kept
 * but the config's keys, and every run makes the same certificates again;
 * only the operator's client files, where asked for, are removed on destroy.
 */
export class EngineCa {
  /** The CA certificates (PEM) that every engine trusts: the CA's, and the next CA's while it replaces it. */
  public readonly caCert: pulumi.Output<string>;
  /** The CA certificates (PEM) that the operator trusts: the engines', and the previous CA's while it is replaced. */
  public readonly clientCaCert: pulumi.Output<string>;
  /** The operator's client certificate (PEM). */
  public readonly clientCert: pulumi.Output<string>;
  /** The operator's client key (PEM), a secret. */
  public readonly clientKey: pulumi.Output<string>;
  /** The folder holding the client's files, known once they are written there; undefined where none was asked for. */
  public readonly clientFolder: pulumi.Output<string> | undefined;
  /**
   * When the engines' certificates of this run's period start to be valid, in
   * seconds since 1970: a host's certificate from an earlier period is renewed.
   */
  public readonly engineNotBefore: pulumi.Output<number>;
  private readonly caKey: pulumi.Output<string>;
  private readonly now: Date;

  constructor(args: EngineCaArgs) {
    this.caKey = pulumi.output(args.caKey);
    this.clientKey = pulumi.output(args.clientKey);
    this.now = args.now ?? new Date();
    // Certificates are public: what the keys make of them is no secret.
    const caCertOf = (key: pulumi.Input<string> | undefined) =>
      pulumi.unsecret(pulumi.output(key).apply(async (k) => (k === undefined ? "" : (await certificates()).caCertificate(k, this.now))));
    this.caCert = pulumi.concat(caCertOf(args.caKey), caCertOf(args.nextCaKey));
    this.clientCaCert = pulumi.concat(this.caCert, caCertOf(args.previousCaKey));
    this.clientCert = pulumi.unsecret(pulumi.all([this.caKey, this.clientKey]).apply(async ([ca, client]) => (await certificates()).clientCertificate(ca, client, this.now)));
    this.engineNotBefore = pulumi.output(certificates().then((c) => c.validity("leaf", this.now).notBefore.getTime() / 1000));
    this.clientFolder = args.clientFolder && this.writtenFolder(args.clientFolder);
  }

  /**
   * The client folder, known once its files are written, and once the command
   * that removes it on destroy is in place: the providers that read it depend
   * on that command, so a destroy removes them first.
   */
  private writtenFolder(folder: NonNullable<EngineCaArgs["clientFolder"]>): pulumi.Output<string> {
    const remover = new local.Command(folder.name, { create: "true", delete: `rm -rf -- ${shellQuote(folder.path)}` }, { parent: folder.parent });
    const written = pulumi.all([this.clientCaCert, this.clientCert, this.clientKey]).apply(([caCert, clientCert, clientKey]) => {
      writeClientFiles(folder.path, { caCert, clientCert, clientKey });
      return folder.path;
    });
    return pulumi.unsecret(pulumi.all([written, remover.id]).apply(([path]) => path));
  }

  /** The certificate of an engine whose host made request `csr`, naming `altNames`. */
  public engineCert(csr: pulumi.Input<string>, altNames: pulumi.Input<string[]>): pulumi.Output<string> {
    return pulumi.unsecret(pulumi.all([this.caKey, csr, altNames]).apply(async ([ca, request, names]) => (await certificates()).engineCertificate(ca, request, names, this.now)));
  }

  /** The client certificate of manager `hostName`, whose host made request `csr` for its engine's key. */
  public managerCert(csr: pulumi.Input<string>, hostName: string): pulumi.Output<string> {
    return pulumi.unsecret(pulumi.all([this.caKey, csr]).apply(async ([ca, request]) => (await certificates()).managerCertificate(ca, request, hostName, this.now)));
  }
}

/** The subject alternative names of an engine's certificate request, as openssl's `-addext subjectAltName=` takes them. */
export function subjectAltNames(names: string[]): string {
  return [...new Set(names)].map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
}
