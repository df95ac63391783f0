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
  },
  { name: 'logs', partitionKey: 'pk', sortKey: 'sk', globalIndexes: [] },
];

export const buckets: readonly BucketName[] = ['uploads', 'custody', 'backup', 'published', 'documents'];
