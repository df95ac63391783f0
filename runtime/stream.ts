/** A table-stream consumer of a context module: `stream(ctx, 'PublishPublicCatalogueOnChange', [ports…], run)`. */
import { eventEntry } from './event-entry.ts';
import { withStream, type StreamContext } from './with-stream.ts';

export type { StreamContext } from './with-stream.ts';

export const stream = eventEntry<StreamContext>(withStream);
