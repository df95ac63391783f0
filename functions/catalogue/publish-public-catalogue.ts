import { scheduled } from '#runtime/schedule.ts';
import { publishPublicCatalogue } from '#shared/catalogue/public/publish.ts';
import { catalogue } from './context.ts';
import { publishPortsOf, publishUses } from './publish-ports.ts';

/** Schedule PublicCatalogueRefresh (daily): R9.3 "updated periodically" — rebuilds and republishes the public catalogue. */
export const handler = scheduled(catalogue, 'PublishPublicCatalogue', publishUses, async (job, p) => {
  const result = await publishPublicCatalogue(publishPortsOf(p));
  job.log.info('public catalogue published', { ...result });
  return { schedule: job.schedule, ...result };
});
