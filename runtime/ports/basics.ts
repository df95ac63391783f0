/** Ports with no AWS behind them: the clock and the application's base URL. */
import { envNames } from '#adapters/config.ts';
import { port } from '../port.ts';

export const now = port({ name: 'now', env: [], build: (): (() => Date) => () => new Date() });

export const appBaseUrl = port({ name: 'appBaseUrl', env: ['appBaseUrl'], build: (env): string => env[envNames.appBaseUrl] ?? '' });

// --- submission, catalogue ---
import { randomUUID } from 'node:crypto';

/** New identifiers (UUID v4). */
export const newUuid = port({ name: 'newId', env: [], build: (): (() => string) => randomUUID });
