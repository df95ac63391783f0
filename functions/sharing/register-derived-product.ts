import { derivedView, registerDerivedProduct } from '#shared/sharing/derived.ts';
import { http } from '#runtime/http.ts';
import { newUuid, now } from '#runtime/ports/basics.ts';
import { derivedProducts } from '#runtime/ports/derived.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { sharing } from './context.ts';

/** POST /sharing/derived-products — 201: registered; a confidentiality review per organiser of its non-public sources started (R18.2). */
export const handler = http(sharing, 'RegisterDerivedProduct', [sharingRead, derivedProducts, workflow, now, newUuid], async (req, p) => {
  const product = await registerDerivedProduct(p, { actor: req.principal, input: req.body, requestId: req.requestId });
  return { status: 201, body: { product: derivedView(product) } };
});
