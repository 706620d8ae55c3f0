import * as fs from 'fs';
import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import { LOCAL_CREDENTIALS, LocalCloudFormation } from '../../local/driver';
import { ChimeEndpoint } from '../../local/endpoint';
import { refusal } from './refusal';
import { StackSpec, startFixture, stopFixture, writeAssembly } from './assembly';

/** The local CloudFormation's API answers the real SDK client as the service does. */
jest.setTimeout(30_000);

const STACK = 'Fixture';
let root: string;
let endpoint: ChimeEndpoint;
let cfn: LocalCloudFormation;

beforeEach(async () => {
  ({ root, endpoint, cfn } = await startFixture());
});
afterEach(() => stopFixture({ root, endpoint, cfn }));

const client = (region = 'us-east-1', more: { maxAttempts?: number; secretAccessKey?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}) =>
  new CloudFormationClient({
    region,
    endpoint: cfn.api.env().AWS_ENDPOINT_URL_CLOUDFORMATION,
    credentials: more.credentials ?? { ...LOCAL_CREDENTIALS, ...(more.secretAccessKey ? { secretAccessKey: more.secretAccessKey } : {}) },
    maxAttempts: more.maxAttempts ?? 1,
  });
const spec = (resources: StackSpec['resources'], more: Partial<StackSpec> = {}): StackSpec => ({ name: STACK, ...more, resources });
const deploy = (resources: StackSpec['resources'], more: Partial<StackSpec> = {}) => cfn.deploy(writeAssembly(root, [spec(resources, more)]), STACK);
const describe1 = (LogicalResourceId: string, StackName = STACK, region?: string) =>
  client(region).send(new DescribeStackResourceCommand({ StackName, LogicalResourceId })).then((r) => r.StackResourceDetail!);
const stackStatus = (StackName = STACK) => client().send(new DescribeStacksCommand({ StackName })).then((r) => r.Stacks![0].StackStatus);
/** Waits until CloudFormation has sent an event that matches, while its function is still working on it. */
async function whenSent(requestType: string, phase: string): Promise<void> {
  while (!cfn.sent.some((s) => s.requestType === requestType && s.phase === phase)) await new Promise((r) => setTimeout(r, 10));
}

describe('DescribeStackResource', () => {
  it('describes a resource by stack name or stack ID, as StackResourceDetail with ms timestamps and the template\'s Metadata', async () => {
    await deploy({ Group: { Metadata: { Owner: 'tests' } } });
    const record = cfn.resourceStatus(STACK, 'Group')!;
    const stackId = String(cfn.sent[0].event.StackId);

    const byName = await describe1('Group');
    const byId = await describe1('Group', stackId);

    expect(byName).toEqual({
      StackName: STACK,
      StackId: stackId,
      LogicalResourceId: 'Group',
      PhysicalResourceId: 'phys-Group',
      ResourceType: 'Custom::Fixture',
      LastUpdatedTimestamp: record.updated,
      ResourceStatus: 'CREATE_COMPLETE',
      Metadata: JSON.stringify({ Owner: 'tests' }),
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    });
    expect(byName.LastUpdatedTimestamp!.getMilliseconds()).toBe(record.updated.getMilliseconds());
    expect(byId).toEqual(byName);
    expect((await describe1('Fn')).Metadata).toBeUndefined();
  });

  it('answers the Metadata with its intrinsic functions resolved as CloudFormation resolved them at the last create or update', async () => {
    const producer: StackSpec = { name: 'Producer', resources: { Source: {} }, outputs: { Out: { Value: 'from-output' }, Shared: { Value: 'from-export', Export: { Name: 'SharedName' } } } };
    const metadata = (x: string) => ({
      Resolved: {
        parameter: { Ref: 'Name' },
        resource: { Ref: 'Other' },
        attribute: { 'Fn::GetAtt': ['Other', 'Value'] },
        output: { 'Fn::GetStackOutput': { StackName: 'Producer', Region: 'us-east-1', OutputName: 'Out' } },
        imported: { 'Fn::ImportValue': 'SharedName' },
        joined: { 'Fn::Join': ['-', [{ Ref: 'AWS::Region' }, x]] },
      },
    });
    const consumer = (x: string): StackSpec => ({
      name: STACK,
      dependsOn: ['Producer'],
      resources: { Other: {}, Group: { DependsOn: ['Other'], X: x, Metadata: metadata(x) } },
    });
    const template = (x: string) => {
      const dir = writeAssembly(root, [producer, consumer(x)]);
      const file = `${dir}/${STACK}.template.json`;
      fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), Parameters: { Name: { Type: 'String', Default: 'from-parameter' } } }));
      return dir;
    };
    expect((await cfn.deployApp(template('1'))).ok).toBe(true);

    const resolved = (x: string) => ({ Resolved: { parameter: 'from-parameter', resource: 'phys-Other', attribute: 'value-of-phys-Other', output: 'from-output', imported: 'from-export', joined: `us-east-1-${x}` } });
    expect(JSON.parse((await describe1('Group')).Metadata!)).toEqual(resolved('1'));
    // The template still holds the expressions; only DescribeStackResource answers the values.
    const body = JSON.parse((await client().send(new GetTemplateCommand({ StackName: STACK }))).TemplateBody!);
    expect(body.Resources.Group.Metadata).toEqual(metadata('1'));

    expect((await cfn.deploy(template('2'), STACK)).status).toBe('UPDATE_COMPLETE');
    expect(JSON.parse((await describe1('Group')).Metadata!)).toEqual(resolved('2'));
  });

  it('answers ValidationError for a stack that does not exist, a logical ID not in the stack, and a stack of another Region', async () => {
    await deploy({ Group: {} });
    const stackId = String(cfn.sent[0].event.StackId);

    expect(await refusal(describe1('Group', 'Nope'))).toEqual({ name: 'ValidationError', status: 400, message: 'Stack with id Nope does not exist' });
    expect(await refusal(describe1('Nope'))).toEqual({ name: 'ValidationError', status: 400, message: `Resource Nope does not exist for stack ${STACK}` });
    expect(await refusal(describe1('Group', STACK, 'us-west-2'))).toEqual({ name: 'ValidationError', status: 400, message: `Stack with id ${STACK} does not exist` });
    expect(await refusal(describe1('Group', stackId, 'us-west-2'))).toEqual({ name: 'ValidationError', status: 400, message: `Stack with id ${stackId} does not exist` });
  });

  it('follows a stack through create, update with replacement and cleanup, rollback and delete', async () => {
    // Create: in progress without a physical ID while the function works.
    const creating = deploy({ Group: { OnCreate: 'slow:300', OnDelete: 'slow:300', OnUpdate: 'slow:300' } });
    await whenSent('Create', 'deploy');
    expect(await stackStatus()).toBe('CREATE_IN_PROGRESS');
    const created = await describe1('Group');
    expect(created).toMatchObject({ ResourceStatus: 'CREATE_IN_PROGRESS' });
    expect(created.PhysicalResourceId).toBeUndefined();
    await creating;
    expect(await describe1('Group')).toMatchObject({ ResourceStatus: 'CREATE_COMPLETE', PhysicalResourceId: 'phys-Group' });

    // Update with replacement: the cleanup Delete of the old ID leaves the record on the new one.
    const updating = deploy({ Group: { OnUpdate: 'slow:300', OnDelete: 'slow:300', UpdateId: 'phys-new', X: '2' } });
    await whenSent('Update', 'deploy');
    expect(await stackStatus()).toBe('UPDATE_IN_PROGRESS');
    expect(await describe1('Group')).toMatchObject({ ResourceStatus: 'UPDATE_IN_PROGRESS', PhysicalResourceId: 'phys-Group' });
    await whenSent('Delete', 'cleanup');
    expect(await stackStatus()).toBe('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    const cleaning = await describe1('Group');
    expect(cleaning).toMatchObject({ ResourceStatus: 'UPDATE_COMPLETE', PhysicalResourceId: 'phys-new' });
    await updating;
    expect(await stackStatus()).toBe('UPDATE_COMPLETE');
    expect(await describe1('Group')).toEqual(cleaning);

    // A failed update: the rollback Update goes UPDATE_IN_PROGRESS again, later than the failure.
    const failing = deploy({ Group: { OnUpdate: 'fail', OnDelete: 'slow:300', UpdateId: 'phys-new', X: '3' } });
    await whenSent('Update', 'rollback');
    expect(await stackStatus()).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    const rolling = await describe1('Group');
    const failed = cfn.stackEvents.filter((e) => e.logicalId === 'Group' && e.status === 'UPDATE_FAILED').at(-1)!;
    expect(rolling).toMatchObject({ ResourceStatus: 'UPDATE_IN_PROGRESS', PhysicalResourceId: 'phys-new' });
    expect(rolling.LastUpdatedTimestamp!.getTime()).toBeGreaterThan(failed.at.getTime());
    expect((await failing).status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(await stackStatus()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(await describe1('Group')).toMatchObject({ ResourceStatus: 'UPDATE_COMPLETE', PhysicalResourceId: 'phys-new' });

    // Delete: in progress, then the stack is gone by name but still described by its ID.
    const stackId = String(cfn.sent[0].event.StackId);
    const deleting = cfn.destroy(STACK);
    await whenSent('Delete', 'destroy');
    expect(await stackStatus()).toBe('DELETE_IN_PROGRESS');
    expect(await describe1('Group')).toMatchObject({ ResourceStatus: 'DELETE_IN_PROGRESS', PhysicalResourceId: 'phys-new' });
    await deleting;
    expect(await refusal(describe1('Group'))).toEqual({ name: 'ValidationError', status: 400, message: `Stack with id ${STACK} does not exist` });
    expect(await refusal(stackStatus())).toMatchObject({ message: `Stack with id ${STACK} does not exist` });
    // Source: API reference, DescribeStackResource: deleted stacks are described for 90 days, by stack ID only.
    expect(await stackStatus(stackId)).toBe('DELETE_COMPLETE');
    expect(await describe1('Group', stackId)).toMatchObject({ ResourceStatus: 'DELETE_COMPLETE', PhysicalResourceId: 'phys-new' });
  });

  it('finds no resource that a failed Create\'s rollback deleted, in a stack left ROLLBACK_COMPLETE', async () => {
    await deploy({ Group: { OnCreate: 'fail' } });

    expect(await stackStatus()).toBe('ROLLBACK_COMPLETE');
    expect(await refusal(describe1('Group'))).toMatchObject({ message: `Resource Group does not exist for stack ${STACK}` });
  });
});

describe('the other actions', () => {
  it('answers DescribeStacks, DescribeStackResources, ListStackResources, GetTemplate and ListExports', async () => {
    const outputs = { MadeValue: { Value: { 'Fn::GetAtt': ['Made', 'Value'] }, Export: { Name: 'made-value' } } };
    const dir = writeAssembly(root, [spec({ Made: {} }, { outputs })]);
    await cfn.deploy(dir, STACK);
    const stackId = String(cfn.sent[0].event.StackId);
    const c = client();

    const [stack] = (await c.send(new DescribeStacksCommand({}))).Stacks!;
    expect(stack).toMatchObject({ StackId: stackId, StackName: STACK, StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'MadeValue', OutputValue: 'value-of-phys-Made' }] });
    expect(stack.CreationTime).toBeInstanceOf(Date);
    const resources = (await c.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources!;
    expect(resources.map((r) => [r.LogicalResourceId, r.PhysicalResourceId, r.ResourceStatus, r.StackId])).toEqual([
      ['Fn', 'Fixture-Fn', 'CREATE_COMPLETE', stackId],
      ['Made', 'phys-Made', 'CREATE_COMPLETE', stackId],
    ]);
    expect((await c.send(new DescribeStackResourcesCommand({ PhysicalResourceId: 'phys-Made' }))).StackResources!.map((r) => r.LogicalResourceId)).toEqual(['Made']);
    const summaries = (await c.send(new ListStackResourcesCommand({ StackName: stackId }))).StackResourceSummaries!;
    expect(summaries.map((r) => [r.LogicalResourceId, r.ResourceType, r.ResourceStatus])).toEqual([
      ['Fn', 'AWS::Lambda::Function', 'CREATE_COMPLETE'],
      ['Made', 'Custom::Fixture', 'CREATE_COMPLETE'],
    ]);
    const template = await c.send(new GetTemplateCommand({ StackName: STACK }));
    expect(JSON.parse(template.TemplateBody!)).toEqual(JSON.parse(fs.readFileSync(`${dir}/${STACK}.template.json`, 'utf8')));
    expect((await c.send(new ListExportsCommand({}))).Exports).toEqual([{ ExportingStackId: stackId, Name: 'made-value', Value: 'value-of-phys-Made' }]);
    expect((await client('us-west-2').send(new ListExportsCommand({}))).Exports ?? []).toEqual([]);
    expect((await client('us-west-2').send(new DescribeStacksCommand({}))).Stacks ?? []).toEqual([]);
  });

  it('answers at most 100 resources from DescribeStackResources and pages ListStackResources by 100', async () => {
    await deploy(Object.fromEntries(Array.from({ length: 105 }, (_, i) => [`R${i}`, {}])));
    const c = client();

    expect((await c.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources).toHaveLength(100);
    const pages: number[] = [];
    for await (const page of paginateListStackResources({ client: c }, { StackName: STACK })) pages.push(page.StackResourceSummaries!.length);
    expect(pages).toEqual([100, 6]);
  });
});

describe('the wire', () => {
  it('throttles the next N calls with Throttling (HTTP 400) and logs every call with its action, stack and status', async () => {
    await deploy({ Group: {} });
    cfn.api.failNext(2, 'Throttling', ['DescribeStackResource']);

    expect(await refusal(describe1('Group'))).toEqual({ name: 'Throttling', status: 400, message: 'Rate exceeded' });
    // The SDK retries throttling by itself: one more throttled attempt, then the answer.
    const retried = await client('us-east-1', { maxAttempts: 3 }).send(new DescribeStackResourceCommand({ StackName: STACK, LogicalResourceId: 'Group' }));
    expect(retried.StackResourceDetail!.ResourceStatus).toBe('CREATE_COMPLETE');

    expect(cfn.api.requests.map((r) => [r.action, r.stack, r.region, r.status, r.code, r.faulted])).toEqual([
      ['DescribeStackResource', STACK, 'us-east-1', 400, 'Throttling', true],
      ['DescribeStackResource', STACK, 'us-east-1', 400, 'Throttling', true],
      ['DescribeStackResource', STACK, 'us-east-1', 200, undefined, false],
    ]);
    expect([cfn.api.calls('DescribeStackResource'), cfn.api.calls('DescribeStackResource', 'all')]).toEqual([1, 3]);
  });

  it('refuses a request that is not signed with the local credentials', async () => {
    await deploy({ Group: {} });

    expect(await refusal(client('us-east-1', { secretAccessKey: 'wrong' }).send(new DescribeStacksCommand({})))).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    const unsigned = await fetch(cfn.api.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeStacks&Version=2010-05-15' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});

describe('a function\'s execution role', () => {
  const describeAs = (fnArn: string, StackName: string) =>
    client('us-east-1', { credentials: cfn.credentialsOf(fnArn) }).send(new DescribeStackResourceCommand({ StackName, LogicalResourceId: 'Group' }));

  it('may describe its own stack\'s resources when its policy allows cloudformation:DescribeStackResource on Ref AWS::StackId, and nothing more', async () => {
    const policy = [{ Effect: 'Allow', Action: 'cloudformation:DescribeStackResource', Resource: { Ref: 'AWS::StackId' } }];
    await cfn.deploy(writeAssembly(root, [spec({ Group: {} }, { policy, handler: 'index.handler' })]), STACK);
    await cfn.deploy(writeAssembly(root, [{ name: 'Other', resources: { Group: {} } }]), 'Other');
    const fnArn = String(cfn.sent[0].event.ServiceToken);
    const otherId = String(cfn.sent[1].event.StackId);

    expect(cfn.events[0].data!.AccessKeyId).toBe(cfn.credentialsOf(fnArn).accessKeyId);
    expect((await describeAs(fnArn, STACK)).StackResourceDetail!.ResourceStatus).toBe('CREATE_COMPLETE');
    const denied = await refusal(describeAs(fnArn, 'Other'));
    expect(denied).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::123456789012:assumed-role/Fixture-FnRole/Fixture-Fn is not authorized to perform: cloudformation:DescribeStackResource on resource: ${otherId} because no identity-based policy allows the cloudformation:DescribeStackResource action`,
    });
    expect(await refusal(client('us-east-1', { credentials: cfn.credentialsOf(fnArn) }).send(new DescribeStacksCommand({ StackName: STACK })))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('may not describe even its own stack without that statement: AccessDenied, before the stack is looked up', async () => {
    await deploy({ Group: {} }, { policy: [{ Effect: 'Allow', Action: 'chime:*', Resource: '*' }] });
    const fnArn = String(cfn.sent[0].event.ServiceToken);

    expect(await refusal(describeAs(fnArn, STACK))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await refusal(describeAs(fnArn, 'Nope'))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });
});
