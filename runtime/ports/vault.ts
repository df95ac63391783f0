/** The task-token vault: KMS on AWS (TASK_TOKEN_KEY_ID), AES with a local key on the laptop (functions with `sealsTaskTokens`). */
import { port } from '../port.ts';

// --- platform, catalogue-report ---
import { tokenVaultFromEnv } from '#adapters/token-vault.ts';
import type { TokenVault } from '#shared/ports/tasks.ts';

/** No env group: the adapter reads TASK_TOKEN_KEY_ID or the local key itself and names what is missing. */
export const vault = port({ name: 'vault', env: [], build: (env): TokenVault => tokenVaultFromEnv(env) });
