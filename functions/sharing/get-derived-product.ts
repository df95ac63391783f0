import { getDerivedProduct } from '#shared/sharing/derived.ts';
import { http } from '#runtime/http.ts';
import { derivedProductsRead } from '#runtime/ports/derived.ts';
import { sharing } from './context.ts';

/** GET /sharing/derived-products/{productId} — the product, its sources and their reviews (R18.2). */
export const handler = http(sharing, 'GetDerivedProduct', [derivedProductsRead], async (req, p) => ({
  body: { product: await getDerivedProduct(p, { actor: req.principal, productId: req.path.productId }) },
}));
