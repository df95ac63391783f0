import { fileURLToPath } from 'node:url';

/** The checkout's root: manifest entries and ASL files are relative to it. */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
