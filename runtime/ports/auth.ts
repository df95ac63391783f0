/** The JWT verifier every non-public route authenticates with (added by `http()` itself). */
import { jwtVerifierFromEnv, type TokenVerifier } from '../auth.ts';
import { port } from '../port.ts';

export const verifier = /* @__PURE__ */ port({ name: 'verifier', env: ['jwt'], build: (env): TokenVerifier => jwtVerifierFromEnv(env) });
