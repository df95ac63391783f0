/**
 * Table and bucket shapes, read by the stateful stack and by the local cloud
 * so that DynamoDB Local has exactly the keys and indexes AWS has.
 */
import type { BucketName, TableName } from './manifest.ts';

export interface TableShape {
  readonly name: TableName;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly globalIndexes: readonly { readonly name: string; readonly partitionKey: string; readonly sortKey: string }[];
  /** A change stream (manifest.streams read it): both images, so a consumer sees what an entry was and is. */
  readonly stream?: 'NEW_AND_OLD_IMAGES';
}

export const tables: readonly TableShape[] = [
  {
    name: 'registry',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalIndexes: [
      { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    ],
    stream: 'NEW_AND_OLD_IMAGES',
  },
  { name: 'logs', partitionKey: 'pk', sortKey: 'sk', globalIndexes: [] },
];

export const buckets: readonly BucketName[] = ['uploads', 'custody', 'backup', 'published', 'documents'];
