/** Ports with no AWS behind them: the clock and the application's base URL. */
import { envNames } from '#adapters/config.ts';
import { port } from '../port.ts';

export const now = port({ name: 'now', env: [], build: (): (() => Date) => () => new Date() });

export const appBaseUrl = port({ name: 'appBaseUrl', env: ['appBaseUrl'], build: (env): string => env[envNames.appBaseUrl] ?? '' });

// --- platform, catalogue-report ---
import { randomBytes, randomUUID } from 'node:crypto';

/** A new UUID (ping ids). */
export const newUuid = port({ name: 'newId', env: [], build: (): (() => string) => randomUUID });

/** Four random bytes in hex (catalogue report ids). */
export const newHex4 = port({ name: 'newId', env: [], build: (): (() => string) => () => randomBytes(4).toString('hex') });
