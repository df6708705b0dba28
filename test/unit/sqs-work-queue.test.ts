import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';

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
