import * as fs from 'fs';
import { DriverOptions, EventRecord, LocalCloudFormation, SERVICE_TOKEN_REASON, TOO_LONG_REASON } from '../../local/driver';
import { ChimeEndpoint } from '../../local/endpoint';
import { StackSpec, tempRoot, tokenOf, writeAssembly } from './assembly';

/** The local CloudFormation, driving the tiny fixture function, behaves as the real service does. */
jest.setTimeout(30_000);

const STACK = 'Fixture';
let root: string;
let endpoint: ChimeEndpoint;
let cfn: LocalCloudFormation;

const start = async (options: Partial<DriverOptions> = {}) => {
  cfn = await LocalCloudFormation.start({ endpoint, retryDelaysMs: [50, 100], ...options });
};
const assembly = (resources: StackSpec['resources'], more: Partial<StackSpec> = {}) => writeAssembly(root, [{ name: STACK, ...more, resources }]);
const deploy = (resources: StackSpec['resources'], more: Partial<StackSpec> = {}) => cfn.deploy(assembly(resources, more), STACK);
const shape = (events: EventRecord[]) => events.map((e) => [e.logicalId, e.requestType, e.phase, e.status]);
const sentTo = (logicalId: string) => cfn.sent.filter((s) => s.logicalId === logicalId).map((s) => s.event);

beforeEach(async () => {
  root = tempRoot();
  endpoint = await ChimeEndpoint.start();
  await start();
});
afterEach(async () => {
  await cfn.stop();
  await endpoint.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('removal policies, as CloudFormation applies them on update', () => {
  it('keeps the old side of a replacement whose UpdateReplacePolicy is Retain: no Delete is sent for it', async () => {
    await deploy({ Moved: { Region: 'east', UpdateReplacePolicy: 'Retain', DeletionPolicy: 'Retain' } });

    const result = await deploy({ Moved: { Region: 'west', UpdateId: 'phys-west', UpdateReplacePolicy: 'Retain', DeletionPolicy: 'Retain' } });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(shape(result.events)).toEqual([['Moved', 'Update', 'deploy', 'SUCCESS']]);
    expect(cfn.stackEvents.filter((e) => e.logicalId === 'Moved').slice(-1)).toEqual([expect.objectContaining({ status: 'DELETE_SKIPPED', physicalId: 'phys-Moved' })]);
    expect(cfn.resource(STACK, 'Moved')?.physicalId).toBe('phys-west');
  });

  it('deletes the old side of a replacement whose UpdateReplacePolicy is Delete', async () => {
    await deploy({ Moved: { Region: 'east', UpdateReplacePolicy: 'Delete' } });

    const result = await deploy({ Moved: { Region: 'west', UpdateId: 'phys-west', UpdateReplacePolicy: 'Delete' } });

    expect(result.events.map((e) => [e.requestType, e.phase, e.physicalId])).toEqual([
      ['Update', 'deploy', 'phys-west'],
      ['Delete', 'cleanup', 'phys-Moved'],
    ]);
  });

  it('keeps a resource removed from the template whose DeletionPolicy is Retain, the policy changed by an earlier update included', async () => {
    await deploy({ Kept: { X: '1' }, Gone: { X: '1' } });
    await deploy({ Kept: { X: '1', DeletionPolicy: 'Retain' }, Gone: { X: '1' } });

    const result = await deploy({});

    expect(shape(result.events)).toEqual([['Gone', 'Delete', 'cleanup', 'SUCCESS']]);
    expect(cfn.stackEvents.filter((e) => e.logicalId === 'Kept').at(-1)).toMatchObject({ status: 'DELETE_SKIPPED', physicalId: 'phys-Kept' });
  });
});

describe('a failed update rolls back as CloudFormation does', () => {
  it('refuses a changed ServiceToken without sending any event for it, and rolls the others back', async () => {
    const functions = { Fn: 30, Other: 30 };
    await deploy({ First: { X: '1' }, Second: { DependsOn: ['First'], X: '1' } }, { functions });

    const result = await deploy({ First: { X: '2' }, Second: { DependsOn: ['First'], X: '1', ServiceToken: tokenOf('Other') } }, { functions });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.objectContaining({ logicalId: 'Second', requestType: 'Update', reason: SERVICE_TOKEN_REASON })]);
    expect(sentTo('Second').map((e) => e.RequestType)).toEqual(['Create']);
    expect(shape(result.events)).toEqual([
      ['First', 'Update', 'deploy', 'SUCCESS'],
      ['First', 'Update', 'rollback', 'SUCCESS'],
    ]);
    const [, update, rollback] = sentTo('First');
    expect(rollback).toMatchObject({ PhysicalResourceId: 'phys-First', ResourceProperties: { X: '1' }, OldResourceProperties: { X: '2' } });
    expect(update).toMatchObject({ PhysicalResourceId: 'phys-First', ResourceProperties: { X: '2' }, OldResourceProperties: { X: '1' } });
  });

  it('sends the resource whose update failed an Update back to its old properties, with the failed ones as old', async () => {
    await deploy({ Group: { Name: 'a' } });

    const result = await deploy({ Group: { Name: 'b', OnUpdate: 'fail' } });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(shape(result.events)).toEqual([
      ['Group', 'Update', 'deploy', 'FAILED'],
      ['Group', 'Update', 'rollback', 'SUCCESS'],
    ]);
    expect(sentTo('Group')[2]).toMatchObject({ PhysicalResourceId: 'phys-Group', ResourceProperties: { Name: 'a' }, OldResourceProperties: { Name: 'b', OnUpdate: 'fail' } });
    expect(cfn.resource(STACK, 'Group')).toMatchObject({ physicalId: 'phys-Group', properties: { Name: 'a' } });
  });

  it('deletes the new side of a replacement made during the deploy and keeps the old one', async () => {
    await deploy({ Moved: { Region: 'east' }, Breaks: { DependsOn: ['Moved'], X: '1' } });

    const result = await deploy({ Moved: { Region: 'west', UpdateId: 'phys-west' }, Breaks: { DependsOn: ['Moved'], X: '2', OnUpdate: 'fail' } });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const moved = result.events.filter((e) => e.logicalId === 'Moved');
    expect(moved.map((e) => [e.requestType, e.phase, e.physicalId])).toEqual([
      ['Update', 'deploy', 'phys-west'],
      ['Delete', 'rollback', 'phys-west'],
    ]);
    expect(cfn.resource(STACK, 'Moved')?.physicalId).toBe('phys-Moved');
  });

  it('treats a new physical ID answered during rollback as a replacement and deletes the old side in the rollback cleanup', async () => {
    await deploy({ Group: { CreateId: 'p1', UpdateId: 'p1-back', X: '1' }, Breaks: { DependsOn: ['Group'], X: '1' } });

    const result = await deploy({ Group: { CreateId: 'p1', X: '2' }, Breaks: { DependsOn: ['Group'], X: '2', OnUpdate: 'fail' } });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.events.filter((e) => e.logicalId === 'Group').map((e) => [e.requestType, e.phase, e.physicalId])).toEqual([
      ['Update', 'deploy', 'p1'],
      ['Update', 'rollback', 'p1-back'],
      ['Delete', 'rollback-cleanup', 'p1'],
    ]);
    expect(sentTo('Group').at(-1)).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: 'p1', ResourceProperties: { X: '2' } });
    expect(cfn.resource(STACK, 'Group')?.physicalId).toBe('p1-back');
  });

  it('rolls a failed Create back with a Delete of the physical ID it answered', async () => {
    const result = await deploy({ Group: { OnCreate: 'fail' } });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(shape(result.events)).toEqual([
      ['Group', 'Create', 'deploy', 'FAILED'],
      ['Group', 'Delete', 'rollback', 'SUCCESS'],
    ]);
    expect(sentTo('Group')[1]).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' });
  });
});

describe('Lambda delivers events asynchronously', () => {
  it('kills an invocation at the function timeout and retries the same event', async () => {
    await cfn.stop();
    await start({ functionTimeoutMs: 1_000 });

    const result = await deploy({ Group: { OnCreate: 'hang-first' } });

    expect(result.status).toBe('CREATE_COMPLETE');
    const [first, second] = result.events;
    expect([first, second].map((e) => [e.delivery, e.cause, e.status, e.taken])).toEqual([
      [1, 'event', 'UNANSWERED', false],
      [2, 'retry', 'SUCCESS', true],
    ]);
    expect(first.error).toMatch(/timed out after 1000 ms/);
    expect(second.requestId).toBe(first.requestId);
    expect(cfn.sent).toHaveLength(1);
  });

  it('retries an invocation whose process crashed, in a new execution environment', async () => {
    const result = await deploy({ Group: { OnCreate: 'crash-first' } });

    expect(result.events.map((e) => [e.delivery, e.status])).toEqual([
      [1, 'UNANSWERED'],
      [2, 'SUCCESS'],
    ]);
    expect(result.events[0].error).toMatch(/exited with 1/);
  });

  it('retries the event when the function could not deliver its answer (the response PUT failed)', async () => {
    cfn.refuseNextResponses(1);

    const result = await deploy({ Group: {} });

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.events.map((e) => [e.delivery, e.cause, e.status, e.taken])).toEqual([
      [1, 'event', 'UNANSWERED', false],
      [2, 'retry', 'SUCCESS', true],
    ]);
    expect(result.events[0].error).toContain('response PUT answered 500');
  });

  it('gives up after two retries and fails the resource, leaving the event unanswered', async () => {
    cfn.refuseNextResponses(3);

    const result = await deploy({ Group: {} });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.events.map((e) => e.delivery)).toEqual([1, 2, 3]);
    expect(result.failures[0].reason).toMatch(/did not receive a response/);
    expect(cfn.unanswered().map((s) => s.logicalId)).toEqual(['Group']);
  });

  it('reuses a warm idle environment, so module state survives between invocations', async () => {
    const [a] = (await deploy({ Group: { X: '1' } })).events;
    // CloudFormation moves on as soon as the answer arrives; the invocation ends just after.
    await cfn.settled();
    const [b] = (await deploy({ Group: { X: '2' } })).events;

    expect(b.data!.Pid).toBe(a.data!.Pid);
    expect([a.data!.Invocations, b.data!.Invocations]).toEqual(['1', '2']);
  });

  it('delivers a duplicate concurrently to a second environment; CloudFormation takes the first answer and records the late one', async () => {
    await cfn.stop();
    await start({ duplicates: { probability: 'always' } });

    const result = await deploy({ Group: { OnCreate: 'slow:200' } });
    await cfn.settled();

    expect(result.status).toBe('CREATE_COMPLETE');
    const deliveries = cfn.events.filter((e) => e.logicalId === 'Group');
    expect(deliveries.map((e) => e.requestId)).toEqual([cfn.sent[0].requestId, cfn.sent[0].requestId]);
    expect(deliveries.map((e) => e.taken).sort()).toEqual([false, true]);
    expect(new Set(deliveries.map((e) => e.data!.Pid)).size).toBe(2);
    expect(cfn.lateResponses).toEqual([deliveries.find((e) => !e.taken)]);
    expect(deliveries.map((e) => e.cause).sort()).toEqual(['duplicate', 'event']);
  });

  it('fails the resource when no answer comes within its ServiceTimeout', async () => {
    await cfn.stop();
    await start({ responseTimeoutMs: 300 });

    const result = await deploy({ Group: { OnCreate: 'hang' } });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.objectContaining({ logicalId: 'Group', reason: expect.stringMatching(/did not receive a response/) })]);
    expect(cfn.unanswered()).toHaveLength(1);
  });
});

describe('the response body limit', () => {
  it('accepts an answer of exactly 4096 UTF-8 bytes', async () => {
    const result = await deploy({ Group: { OnCreate: 'bytes:4096' } });

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.events[0]).toMatchObject({ status: 'SUCCESS', responseBytes: 4096 });
    expect(cfn.violations).toEqual([]);
  });

  it('fails an answer of 4097 bytes with CloudFormation\'s reason, not the handler\'s', async () => {
    const result = await deploy({ Group: { OnCreate: 'bytes:4097' } });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.events[0]).toMatchObject({ status: 'FAILED', reason: TOO_LONG_REASON, responseBytes: 4097, taken: true });
    expect(cfn.violations).toEqual([expect.stringContaining('response is 4097 bytes')]);
  });
});

describe('a whole app', () => {
  const producer: StackSpec = { name: 'Producer', resources: { Made: {} }, outputs: { MadeValue: { Value: { 'Fn::GetAtt': ['Made', 'Value'] } } } };
  const consumer: StackSpec = {
    name: 'Consumer',
    region: 'us-west-2',
    dependsOn: ['Producer'],
    resources: { Uses: { From: { 'Fn::GetStackOutput': { StackName: 'Producer', Region: 'us-east-1', OutputName: 'MadeValue' } } } },
  };

  it('deploys producers first, resolves Fn::GetStackOutput from their outputs, and destroys in reverse', async () => {
    const dir = writeAssembly(root, [consumer, producer]);

    const deployed = await cfn.deployApp(dir);
    const destroyed = await cfn.destroyApp(dir);

    expect(deployed.ok).toBe(true);
    expect(Object.keys(deployed.stacks)).toEqual(['Producer', 'Consumer']);
    expect(sentTo('Uses')[0]).toMatchObject({ ResourceProperties: { From: 'value-of-phys-Made' } });
    expect(destroyed.ok).toBe(true);
    expect(destroyed.events.map((e) => [e.stack, e.requestType])).toEqual([
      ['Consumer', 'Delete'],
      ['Producer', 'Delete'],
    ]);
  });

  it('refuses a stack whose Fn::GetStackOutput names a stack not deployed or an output it lacks', async () => {
    const dir = writeAssembly(root, [consumer, producer]);
    await expect(cfn.deploy(dir, 'Consumer')).rejects.toThrow(/stack Producer in us-east-1, which is not deployed/);

    await cfn.deploy(writeAssembly(root, [{ ...producer, outputs: {} }]), 'Producer');
    await expect(cfn.deploy(dir, 'Consumer')).rejects.toThrow(/output MadeValue of stack Producer, which has no such output/);
    expect(cfn.sent.map((s) => s.logicalId)).toEqual(['Made']);
  });
});
