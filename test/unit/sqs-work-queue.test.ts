import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';
import { LazySqsWorkQueue } from '../../shared/queue/lazy-sqs-work-queue.js';

describe('the SQS work queue', () => {
  it('sends with MessageGroupId = tenantId, so SQS fair queues keep one tenant from starving the others (§8)', async () => {
    const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockClient(sqs);
    mock.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    await new SqsWorkQueue(sqs, 'https://sqs.local/work').send({ runId: 'r1', tenantId: 'contoso', type: 'inventory.sync' });
    const input = mock.commandCalls(SendMessageCommand)[0].args[0].input;
    expect(input).toMatchObject({ QueueUrl: 'https://sqs.local/work', MessageGroupId: 'contoso' });
    expect(JSON.parse(input.MessageBody!)).toEqual({ runId: 'r1', tenantId: 'contoso', type: 'inventory.sync' });
    mock.restore();
  });
});

describe("the run worker's lazily loaded work queue (issue 18: the SQS client loads on the first send)", () => {
  it('loads the SQS module once, on the first send, and sends as the SQS work queue does', async () => {
    const mock = mockClient(SQSClient);
    mock.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    let loads = 0;
    const queue = new LazySqsWorkQueue('https://sqs.local/work', { load: () => (loads++, import('../../shared/queue/sqs-work-queue-app.js')) });
    expect(loads).toBe(0);
    await queue.send({ runId: 'r1', tenantId: 'contoso', type: 'inventory.sync', continuation: 1 }, { delaySeconds: 3 });
    await queue.send({ runId: 'r2', tenantId: 'fabrikam', type: 'inventory.sync' });
    expect(loads).toBe(1);
    const inputs = mock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.QueueUrl, i.MessageGroupId, i.DelaySeconds])).toEqual([['https://sqs.local/work', 'contoso', 3], ['https://sqs.local/work', 'fabrikam', undefined]]);
    expect(JSON.parse(inputs[0].MessageBody!)).toEqual({ runId: 'r1', tenantId: 'contoso', type: 'inventory.sync', continuation: 1 });
    mock.restore();
  });

  it('a failed load fails that send and is tried again on the next one', async () => {
    const mock = mockClient(SQSClient);
    mock.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    let loads = 0;
    const queue = new LazySqsWorkQueue('https://sqs.local/work', { load: () => (++loads === 1 ? Promise.reject(new Error('cannot find the sqs-work-queue-app chunk')) : import('../../shared/queue/sqs-work-queue-app.js')) });
    await expect(queue.send({ runId: 'r1', tenantId: 'contoso', type: 'inventory.sync' })).rejects.toThrow('sqs-work-queue-app chunk');
    await queue.send({ runId: 'r1', tenantId: 'contoso', type: 'inventory.sync' });
    expect(loads).toBe(2);
    expect(mock.commandCalls(SendMessageCommand)).toHaveLength(1);
    mock.restore();
  });
});
