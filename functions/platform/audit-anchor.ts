import { anchorSigner, anchors } from '#runtime/ports/anchors.ts';
import { auditChain, auditedItems } from '#runtime/ports/registry.ts';
import { scheduled } from '#runtime/schedule.ts';
import { auditVerify } from '#shared/audit/verify.ts';
import { platform } from './context.ts';

/**
 * Hourly (R10.1, issue 8 §2): verifies every shard of the audit chain against its signed
 * anchors and the audited items against their last records — exactly what
 * `npm run audit:verify` does — and, when the chain holds, writes the next
 * signed anchor of the head to the custody bucket (write-once). A finding is
 * logged at ERROR with the lines an auditor reads (the alarm hook); no anchor
 * is written over a broken or rewritten chain.
 */
export const handler = scheduled(platform, 'AuditAnchor', [auditChain, anchors, anchorSigner, auditedItems], async (job, p) => {
  const result = await auditVerify({ store: p.auditChain, anchors: p.anchors, signer: p.signer, items: p.auditedItems, now: () => new Date() });
  const summary = {
    schedule: job.schedule,
    ok: result.ok,
    records: result.chain.ok ? result.chain.count : undefined,
    anchoredSeq: result.anchored?.checkpoint.seq,
    // One chain per province plus the national one (shared/audit/shards.ts): which were anchored, at which seq.
    chains: result.shards.length,
    anchored: Object.fromEntries(result.shards.flatMap((c) => (c.anchored ? [[c.shard, c.anchored.checkpoint.seq]] : []))),
    itemsChecked: result.items.checked,
    drifts: result.items.drifts.length,
  };
  if (result.ok) job.log.info('audit chain verified', { ...summary });
  else job.log.error('audit chain or audited items tampered with', { ...summary, findings: result.lines });
  return { ...summary, lines: result.lines };
});
