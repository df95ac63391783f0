/**
 * The audit chain's anchors (R10.1): who signs them (KMS on AWS, a key file on
 * the laptop) and where they are kept (custody bucket). One family file: the
 * adapter loads both the KMS and the S3 client.
 */
import { anchorSignerFromEnv, anchorStoreFromEnv } from '#adapters/audit-anchor.ts';
import type { AnchorSigner, AnchorStore } from '#shared/audit/anchor.ts';
import { port } from '../port.ts';

// --- platform, catalogue-report ---
export const anchors = /* @__PURE__ */ port({ name: 'anchors', env: ['custody'], build: (env): AnchorStore => anchorStoreFromEnv(env) });

/** No env group: the adapter reads the anchor key id (AWS) or key file (laptop) itself and names what is missing. */
export const anchorSigner = /* @__PURE__ */ port({ name: 'signer', env: [], build: (env): AnchorSigner => anchorSignerFromEnv(env) });
