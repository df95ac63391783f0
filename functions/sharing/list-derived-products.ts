import { listDerivedProducts } from '#shared/sharing/derived.ts';
import { http } from '#runtime/http.ts';
import { derivedProductsRead } from '#runtime/ports/derived.ts';
import { sharing } from './context.ts';

/** GET /sharing/derived-products — my organisation's derived products, or those with a source it organises (R18.2). */
export const handler = http(sharing, 'ListDerivedProducts', [derivedProductsRead], async (req, p) => ({
  body: await listDerivedProducts(p, { actor: req.principal, side: req.query.side, limit: req.query.limit, cursor: req.query.cursor }),
}));
