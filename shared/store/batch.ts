/** BatchGet / BatchWrite in DynamoDB's chunk sizes, retrying what DynamoDB left unprocessed. */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const GET_CHUNK = 100;
const WRITE_CHUNK = 25;
const MAX_ROUNDS = 8;

const pause = (round: number) => new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** round)));

export async function batchGet(doc: DynamoDBDocumentClient, table: string, keys: Array<Record<string, string>>): Promise<Record<string, any>[]> {
  const found: Record<string, any>[] = [];
  for (let i = 0; i < keys.length; i += GET_CHUNK) {
    let pending: Array<Record<string, string>> = keys.slice(i, i + GET_CHUNK);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`BatchGet left ${pending.length} keys unprocessed`);
      if (round > 0) await pause(round);
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(out.Responses?.[table] ?? []));
      pending = (out.UnprocessedKeys?.[table]?.Keys as Array<Record<string, string>> | undefined) ?? [];
    }
  }
  return found;
}

export async function batchPut(doc: DynamoDBDocumentClient, table: string, items: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < items.length; i += WRITE_CHUNK) {
    let pending = items.slice(i, i + WRITE_CHUNK).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`BatchWrite left ${pending.length} items unprocessed`);
      if (round > 0) await pause(round);
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] as typeof pending | undefined) ?? [];
    }
  }
}
