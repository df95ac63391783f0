import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { startTransfer } from '#shared/transfer/transfer.ts';
import { transfer } from './context.ts';

/** POST /submissions/{submissionId}/transfer — R8.1: starts the Transfer workflow once: 202 when started, 200 after. */
export const handler = http(transfer, 'StartTransfer', [submissions, workflow, now], async (req, p) => {
  const result = await startTransfer({ store: p.submissions, workflow: p.workflow, now: p.now }, { actor: req.principal, submissionId: req.path.submissionId, requestId: req.requestId });
  return { status: result.started ? 202 : 200, body: result };
});
