/** R14.2: the external public platforms every release is announced to (PUBLIC_PLATFORMS, optional; shared/publication/announce.ts). */
import { envNames } from '#adapters/config.ts';
import { parsePublicPlatforms, type PublicPlatform } from '#shared/publication/announce.ts';
import { port } from '../port.ts';

export const publicPlatforms = /* @__PURE__ */ port({ name: 'platforms', env: [], build: (env): readonly PublicPlatform[] => parsePublicPlatforms(env[envNames.publicPlatforms]) });
