import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { EntryChange } from '#shared/catalogue/public/changes.ts';
import type { StreamKeys } from './config.ts';
import { entryOfItem } from './dynamo-catalogue.ts';

type Image = Record<string, AttributeValue>;

/**
 * The manifest's key filter on a stream record's keys: pk starts with
 * `pkPrefix` and, when given, sk equals `sk`. On AWS the event source
 * mapping's filter criteria apply it; the local poller and the handler
 * apply this same rule (the handler as a second line: a mapping created
 * without the filter must not make it parse version snapshots).
 */
export function streamKeysMatch(keys: Readonly<Record<string, { readonly S?: string | undefined } | undefined>> | undefined, filter: StreamKeys): boolean {
  const pk = keys?.['pk']?.S;
  const sk = keys?.['sk']?.S;
  if (typeof pk !== 'string' || !pk.startsWith(filter.pkPrefix)) return false;
  return filter.sk === undefined || sk === filter.sk;
}

const toItem = (image: Image): Record<string, unknown> => unmarshall(image as Record<string, SdkAttributeValue>);

/**
 * Catalogue entry changes from registry stream records (NEW_AND_OLD_IMAGES):
 * only `CAT#<number>`/`META` items; each image parsed with the same mapping
 * the catalogue adapter reads items with (entryOfItem), so a stream image
 * and a table read give the same entry.
 */
export function catalogueChangesOf(records: readonly DynamoDBRecord[]): EntryChange[] {
  const out: EntryChange[] = [];
  for (const r of records) {
    const d = r.dynamodb;
    if (!streamKeysMatch(d?.Keys, { pkPrefix: 'CAT#', sk: 'META' })) continue;
    const resultNumber = String(d?.Keys?.['pk']?.S ?? '').slice('CAT#'.length);
    try {
      const entry = d?.NewImage ? entryOfItem(toItem(d.NewImage)) : undefined;
      const previous = d?.OldImage ? entryOfItem(toItem(d.OldImage)) : undefined;
      out.push({ resultNumber, ...(entry ? { entry } : {}), ...(previous ? { previous } : {}) });
    } catch {
      out.push({ resultNumber, unreadable: true });
    }
  }
  return out;
}
