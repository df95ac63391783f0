import * as z from 'zod/mini';
import { renderers } from '#runtime/ports/bulletin-render.ts';
import { bulletinFiles } from '#runtime/ports/supervision.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { renderBulletin } from '#shared/supervision/bulletin.ts';
import { bulletinRecordSchema } from './bulletin-steps.ts';
import { supervision } from './context.ts';

/** Bulletin › Render: HTML with ECharts SVG charts and the exceljs XLSX, stored write-once. The only function that bundles the renderers. */
export const handler = sfnTask(
  supervision,
  'RenderBulletin',
  z.object({ record: bulletinRecordSchema, execution: z.optional(z.string()) }),
  [renderers, bulletinFiles],
  async (input, p) => renderBulletin(p, input.record),
);
