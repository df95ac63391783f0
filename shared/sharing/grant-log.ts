import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { SharingGrant, SharingStore } from './model.ts';
import { getAgreement, getGrant, grantManifest, readableGrant, signAgreement } from './sharing.ts';

/**
 * The sharing log for the calls on a grant other than a download (R16.1): a view of the grant with its agreement,
 * the BagIt manifest, the signature of the agreement. One line each on the logs table, in the same partition as
 * the download lines (SHARELOG#<grantId>, sk <at>#<requestId>#<call>): who, what, when, from where, the purpose reference.
 * A download writes its own line with the usage counters (shared/sharing/sharing.ts issueDownload) and none here:
 * nothing is counted twice, and only downloads are counted. A refused call writes no line (it is a security record).
 */
export const grantCalls = ['view', 'manifest', 'agreement.sign'] as const;
export type GrantCall = (typeof grantCalls)[number];

export interface GrantCallLine {
  readonly grantId: string;
  readonly at: string;
  readonly call: GrantCall;
  readonly userId: string;
  readonly orgCode: string;
  readonly sourceIp: string;
  /** The purpose reference: the application the grant serves, and its purpose. */
  readonly applicationId: string;
  readonly purpose: string;
  readonly requestId: string;
}

/** Append-only lines on the logs table (adapters/dynamo-sharing-log.ts). */
export interface SharingLog {
  append(line: GrantCallLine): Promise<void>;
}

export const grantCallLine = (g: Pick<SharingGrant, 'grantId' | 'applicationId' | 'purpose'>, actor: Principal, call: GrantCall, cmd: { sourceIp: string; requestId: string }, now: Date): GrantCallLine => ({
  grantId: g.grantId,
  at: now.toISOString(),
  call,
  userId: actor.userId,
  orgCode: actor.orgCode,
  sourceIp: cmd.sourceIp,
  applicationId: g.applicationId,
  purpose: g.purpose,
  requestId: cmd.requestId,
});

interface LogPorts {
  readonly sharing: Pick<SharingStore, 'getGrant'>;
  readonly log: SharingLog;
  readonly now: () => Date;
}

/** GET /sharing/grants/{grantId}: the grant and its agreement, the view logged once. */
export async function viewGrant(ports: LogPorts & { identity: Pick<IdentityRepository, 'getOrganisation'> }, cmd: { actor: Principal; grantId: string; sourceIp: string; requestId: string }) {
  const g = await readableGrant(ports.sharing, cmd.actor, cmd.grantId);
  const out = { grant: await getGrant(ports, cmd), agreement: await getAgreement(ports, cmd) };
  await ports.log.append(grantCallLine(g, cmd.actor, 'view', cmd, ports.now()));
  return out;
}

/** GET /sharing/grants/{grantId}/manifest: the BagIt manifest, logged. */
export async function viewManifest(ports: LogPorts, cmd: { actor: Principal; grantId: string; sourceIp: string; requestId: string }): Promise<string> {
  const g = await readableGrant(ports.sharing, cmd.actor, cmd.grantId);
  const text = await grantManifest(ports, cmd);
  await ports.log.append(grantCallLine(g, cmd.actor, 'manifest', cmd, ports.now()));
  return text;
}

/** POST /sharing/grants/{grantId}/agreement/signature: signed (audited, shared/sharing/sharing.ts), then logged. */
export async function signAgreementLogged(
  ports: Parameters<typeof signAgreement>[0] & { log: SharingLog },
  cmd: { actor: Principal; grantId: string; sha256: string; sourceIp: string; requestId: string },
): Promise<SharingGrant> {
  const signed = await signAgreement(ports, cmd);
  await ports.log.append(grantCallLine(signed, cmd.actor, 'agreement.sign', cmd, ports.now()));
  return signed;
}
