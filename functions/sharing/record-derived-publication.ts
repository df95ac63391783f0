import { recordDerivedPublication } from '#shared/sharing/derived.ts';
import { derivedView } from '#shared/sharing/derived.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { derivedProducts } from '#runtime/ports/derived.ts';
import { sharing } from './context.ts';

/** POST /sharing/derived-products/{productId}/publication — where a publishable derived product was published outside this system (R18.2). */
export const handler = http(sharing, 'RecordDerivedPublication', [derivedProducts, now], async (req, p) => {
  const out = await recordDerivedPublication(p, { actor: req.principal, productId: req.path.productId, where: req.body.where, publishedOn: req.body.publishedOn, requestId: req.requestId });
  return { body: { product: derivedView(out.product), changed: out.changed } };
});
