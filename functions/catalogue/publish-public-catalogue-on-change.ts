import { catalogueChangesOf } from '#adapters/dynamo-stream.ts';
import { changeAffectsPublic, newestEntries } from '#shared/catalogue/public/changes.ts';
import { publishPublicCatalogue, type PublishPorts } from '#shared/catalogue/public/publish.ts';
import { withStream } from '#runtime/with-stream.ts';
import { defaultPublishPorts } from './publish-public-catalogue.ts';

/**
 * Stream PublicCatalogueOnChange (registry, CAT#…/META, batched): R9.3
 * "updated when entries change". A batch that touches no public entry —
 * nor one that was public — writes nothing. Otherwise the whole catalogue
 * is rebuilt with the batch's newest images laid over what the index
 * returns. Safe to re-run (the rebuild is idempotent); reserved concurrency
 * 1 keeps two rebuilds from interleaving on AWS, and the local poller
 * invokes one batch at a time.
 */
export function makeHandler(ports?: () => PublishPorts) {
  return withStream('PublishPublicCatalogueOnChange', async (ctx) => {
    const changes = catalogueChangesOf(ctx.records);
    const relevant = changes.filter(changeAffectsPublic);
    if (relevant.length === 0) {
      ctx.log.info('no public catalogue change in batch', { changes: changes.length });
      return { changes: changes.length, relevant: 0, published: false as const };
    }
    const unreadable = changes.filter((c) => c.unreadable).map((c) => c.resultNumber);
    if (unreadable.length > 0) ctx.log.warn('catalogue entry images that do not parse: rebuilding from the index', { numbers: unreadable });
    const result = await publishPublicCatalogue(ports ? ports() : await defaultPublishPorts(), { changed: newestEntries(changes) });
    ctx.log.info('public catalogue published', { changes: changes.length, relevant: relevant.length, numbers: relevant.map((c) => c.resultNumber), ...result });
    return { changes: changes.length, relevant: relevant.length, published: true as const, ...result };
  });
}

export const handler = makeHandler();
