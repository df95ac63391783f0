import { catalogueChanges } from '#runtime/ports/registry.ts';
import { stream } from '#runtime/stream.ts';
import { changeAffectsPublic, newestEntries } from '#shared/catalogue/public/changes.ts';
import { publishPublicCatalogue } from '#shared/catalogue/public/publish.ts';
import { catalogue } from './context.ts';
import { publishPortsOf, publishUses } from './publish-ports.ts';

/**
 * Stream PublicCatalogueOnChange (registry, CAT#…/META, batched): R9.3
 * "updated when entries change". A batch that touches no public entry —
 * nor one that was public — writes nothing. Otherwise the whole catalogue
 * is rebuilt with the batch's newest images laid over what the index
 * returns. Safe to re-run (the rebuild is idempotent); reserved concurrency
 * 1 keeps two rebuilds from interleaving on AWS, and the local poller
 * invokes one batch at a time.
 */
export const handler = stream(catalogue, 'PublishPublicCatalogueOnChange', [...publishUses, catalogueChanges], async (batch, p) => {
  const changes = p.catalogueChanges(batch.records);
  const relevant = changes.filter(changeAffectsPublic);
  if (relevant.length === 0) {
    batch.log.info('no public catalogue change in batch', { changes: changes.length });
    return { changes: changes.length, relevant: 0, published: false as const };
  }
  const unreadable = changes.filter((c) => c.unreadable).map((c) => c.resultNumber);
  if (unreadable.length > 0) batch.log.warn('catalogue entry images that do not parse: rebuilding from the index', { numbers: unreadable });
  const result = await publishPublicCatalogue(publishPortsOf(p), { changed: newestEntries(changes) });
  batch.log.info('public catalogue published', { changes: changes.length, relevant: relevant.length, numbers: relevant.map((c) => c.resultNumber), ...result });
  return { changes: changes.length, relevant: relevant.length, published: true as const, ...result };
});
