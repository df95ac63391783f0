/** Ports with no AWS behind them: the clock and the application's base URL. */
import { envNames } from '#adapters/config.ts';
import { port } from '../port.ts';

export const now = port({ name: 'now', env: [], build: (): (() => Date) => () => new Date() });

export const appBaseUrl = port({ name: 'appBaseUrl', env: ['appBaseUrl'], build: (env): string => env[envNames.appBaseUrl] ?? '' });

// --- transfer, custody, destruction ---
import { randomBytes } from 'node:crypto';

/** A random suffix for new ids (a destruction round is `<number>-<suffix>`). */
export const newId = port({ name: 'newId', env: [], build: (): (() => string) => () => randomBytes(6).toString('hex') });
