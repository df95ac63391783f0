/** Port recipes of derived products (R18.2, issue 17), apart from runtime/ports/sharing.ts so that the other sharing handlers do not bundle their adapter. */
import { derivedProductsFromEnv } from '#adapters/dynamo-derived.ts';
import type { DerivedProductStore } from '#shared/sharing/derived.ts';
import { port } from '../port.ts';

/** Derived products (R18.2): registered and reviewed, each write audited (registry). */
export const derivedProducts = /* @__PURE__ */ port({ name: 'derived', env: ['registry', 'logs'], build: (env): DerivedProductStore => derivedProductsFromEnv(env) });

/** Derived products, read only. */
export const derivedProductsRead = /* @__PURE__ */ port({ name: 'derived', env: ['registry'], build: (env): Pick<DerivedProductStore, 'get' | 'list'> => derivedProductsFromEnv(env) });
