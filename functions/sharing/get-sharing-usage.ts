import { resultUsage } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { catalogue } from '#runtime/ports/registry.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/usage/{resultNumber} — counters per requester organisation and month. */
export const handler = http(sharing, 'GetSharingUsage', [catalogue, sharingRead], async (req, p) => ({
  body: { usage: await resultUsage(p, { actor: req.principal, resultNumber: req.path.resultNumber }) },
}));
