import type { AuditVerifyDeps } from '#shared/audit/verify.ts';
import { auditVerify } from '#shared/audit/verify.ts';
import { withSchedule } from '#runtime/with-schedule.ts';

type Ports = Omit<AuditVerifyDeps, 'now' | 'anchor'>;

let portsCache: Ports | undefined;
async function defaultPorts(): Promise<Ports> {
  if (!portsCache) {
    const { DynamoItemReader, auditChainStoreFromEnv } = await import('#adapters/dynamo-audit.ts');
    const { anchorSignerFromEnv, anchorStoreFromEnv } = await import('#adapters/audit-anchor.ts');
    portsCache = { store: auditChainStoreFromEnv(), anchors: anchorStoreFromEnv(), signer: anchorSignerFromEnv(), items: new DynamoItemReader() };
  }
  return portsCache;
}

/**
 * Hourly (R10.1, issue 8 §2): verifies the audit chain against its signed
 * anchors and the audited items against their last records — exactly what
 * `npm run audit:verify` does — and, when the chain holds, writes the next
 * signed anchor of the head to the custody bucket (write-once). A finding is
 * logged at ERROR with the lines an auditor reads (the alarm hook); no anchor
 * is written over a broken or rewritten chain.
 */
export function makeHandler(ports?: Ports) {
  return withSchedule('AuditAnchor', async (ctx) => {
    const result = await auditVerify({ ...(ports ?? (await defaultPorts())), now: () => new Date() });
    const summary = {
      schedule: ctx.schedule,
      ok: result.ok,
      records: result.chain.ok ? result.chain.count : undefined,
      anchoredSeq: result.anchored?.checkpoint.seq,
      itemsChecked: result.items.checked,
      drifts: result.items.drifts.length,
    };
    if (result.ok) ctx.log.info('audit chain verified', { ...summary });
    else ctx.log.error('audit chain or audited items tampered with', { ...summary, findings: result.lines });
    return { ...summary, lines: result.lines };
  });
}

export const handler = makeHandler();
