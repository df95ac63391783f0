/** The task-token vault: KMS (TASK_TOKEN_KEY_ID) or AES-GCM (TASK_TOKEN_KEY, local cloud) — functions with `sealsTaskTokens`. */
import { tokenVaultFromEnv } from '#adapters/token-vault.ts';
import type { TokenVault } from '#shared/ports/tasks.ts';
import { port } from '../port.ts';

// --- tasks, verification ---
export const vault = /* @__PURE__ */ port({ name: 'vault', env: ['taskTokenKey'], build: (env): TokenVault => tokenVaultFromEnv(env) });
