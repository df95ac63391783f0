/**
 * The bulletin's renderers (ECharts server-side SVG, exceljs), in a family
 * file of their own: esbuild hoists every import of a module it bundles, so
 * only the function that renders (RenderBulletin) may import this file — the
 * other supervision functions stay under the 250 KB bundle limit (issue 10).
 */
import { bulletinRenderers } from '#adapters/bulletin-render.ts';
import type { BulletinRenderers } from '#shared/ports/supervision.ts';
import { port } from '../port.ts';

/** ECharts server-side SVG and exceljs. */
export const renderers = port({ name: 'renderers', env: [], build: (): BulletinRenderers => bulletinRenderers });
