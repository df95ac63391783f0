import { publishPublicCatalogue, type PublishPorts } from '#shared/catalogue/public/publish.ts';
import { withSchedule } from '#runtime/with-schedule.ts';

let defaults: PublishPorts | undefined;

/** The DynamoDB and S3 adapters, built on first use and kept for the warm container. */
export async function defaultPublishPorts(): Promise<PublishPorts> {
  if (defaults) return defaults;
  const [catalogue, identity, files] = await Promise.all([
    import('#adapters/dynamo-catalogue.ts'),
    import('#adapters/dynamo-identity.ts'),
    import('#adapters/s3-public-catalogue.ts'),
  ]);
  const orgs = identity.identityRepositoryFromEnv();
  defaults = {
    catalogue: catalogue.catalogueStoreFromEnv(),
    orgName: async (code) => (await orgs.getOrganisation(code))?.name,
    files: files.publicCatalogueFilesFromEnv(),
    now: () => new Date(),
  };
  return defaults;
}

/** Schedule PublicCatalogueRefresh (daily): R9.3 "updated periodically" — rebuilds and republishes the public catalogue. */
export function makeHandler(ports?: () => PublishPorts) {
  return withSchedule('PublishPublicCatalogue', async (ctx) => {
    const result = await publishPublicCatalogue(ports ? ports() : await defaultPublishPorts());
    ctx.log.info('public catalogue published', { ...result });
    return { schedule: ctx.schedule, ...result };
  });
}

export const handler = makeHandler();
