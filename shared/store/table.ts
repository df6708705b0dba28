/**
 * The table's shape as data, read by both the CDK stack (infra/constructs/data.ts) and the local
 * runtime's CreateTable, so the two cannot drift.
 */
import { settings } from '../settings.js';
import { INDEXES, TABLE_KEYS } from './keys.js';

export { DEFAULT_TABLE_NAME } from '../settings.js';

export const tableName = () => settings().tableName;

/** Attribute names that are keys of the table or an index (all strings). */
export const keyAttributes = (): string[] => [
  ...new Set([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...Object.values(INDEXES).flatMap((i) => [i.partitionKey, i.sortKey])]),
];

/** CreateTable input for DynamoDB Local and tests (the CDK stack builds the same from INDEXES). */
export function createTableInput(name = tableName()) {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keyAttributes().map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: Object.entries(INDEXES).map(([IndexName, i]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: i.projection.type === 'ALL'
        ? { ProjectionType: 'ALL' as const }
        : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...i.projection.attributes] },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const },
  };
}
