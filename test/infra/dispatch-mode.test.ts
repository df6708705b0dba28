/**
 * CDK context `dispatchMode` (issue 18 item 3): `outbox` makes the stream publisher the outbox
 * relay — it may send to the work queue and write the table (to fail a run it cannot enqueue) —
 * and every function gets DISPATCH_MODE. The default synthesis (`direct`) is test/infra/stack.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { CfnElement } from 'aws-cdk-lib';
import { streamPublisher } from '../../shared/wiring.js';
import { buildApp } from '../../infra/app.js';
import { synthStack, type SynthResult } from './synth-stack.js';

type Resource = { Type: string; Properties: Record<string, any> };
const CONTEXT = { jwtIssuer: 'https://issuer.example.com/tenant/v2.0', jwtAudience: 'api://operation-runs', dispatchMode: 'outbox' };

let synth: SynthResult;
let resources: Record<string, Resource>;

beforeAll(() => {
  synth = synthStack(CONTEXT);
  resources = synth.template.toJSON().Resources ?? {};
}, 120_000);

afterAll(() => rmSync(synth.outdir, { recursive: true, force: true }));

const functions = () => Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
const publisher = () => functions().find(([, r]) => String(r.Properties.Description).startsWith(`${streamPublisher.entry} — `))!;

describe('dispatchMode=outbox', () => {
  it('synthesizes without cdk-nag findings', () => {
    expect(synth.synthError).toBeUndefined();
  });

  it('gives every function DISPATCH_MODE=outbox', () => {
    expect(functions().length).toBeGreaterThan(10);
    for (const [id, f] of functions()) expect(f.Properties.Environment?.Variables?.DISPATCH_MODE, id).toBe('outbox');
  });

  it('lets the stream publisher send to the work queue and write the table', () => {
    const [, fn] = publisher();
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(resources)
      .filter((p) => p.Type === 'AWS::IAM::Policy' && p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const workQueue = synth.stack.getLogicalId(synth.stack.messaging.workQueue.node.defaultChild as CfnElement);
    const sendsWork = statements.some((s) => [s.Action].flat().includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(`"${workQueue}"`));
    expect(sendsWork).toBe(true);
    expect(statements.flatMap((s) => [s.Action].flat())).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:PutItem']));
    expect(fn.Properties.Environment.Variables.WORK_QUEUE_URL).toBeDefined();
  });

  it('refuses an unknown mode at synthesis', () => {
    expect(() => buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...CONTEXT, dispatchMode: 'stream' } })).toThrow(/dispatchMode/);
  });
});
