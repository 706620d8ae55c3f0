import { LocalCloudFormation } from '../../local/driver';
import { ChimeEndpoint } from '../../local/endpoint';
import { StackSpec, startFixture, stopFixture, writeAssembly } from './assembly';

/** Stacks and their resources move through CloudFormation's statuses, each change timestamped. */
jest.setTimeout(30_000);

const STACK = 'Fixture';
let root: string;
let endpoint: ChimeEndpoint;
let cfn: LocalCloudFormation;

beforeEach(async () => {
  ({ root, endpoint, cfn } = await startFixture());
});
afterEach(() => stopFixture({ root, endpoint, cfn }));

const deploy = (resources: StackSpec['resources']) => cfn.deploy(writeAssembly(root, [{ name: STACK, resources }]), STACK);
/** The status changes since `from` of one resource (or of the stack, by its name): [status, physical ID]. */
const changes = (logicalId: string, from = 0) => cfn.stackEvents.slice(from).filter((e) => e.logicalId === logicalId).map((e) => [e.status, e.physicalId]);
const stackChanges = (from = 0) => cfn.stackEvents.slice(from).filter((e) => e.logicalId === STACK).map((e) => e.status);

it('creates: CREATE_IN_PROGRESS without a physical ID while the Create runs, then CREATE_COMPLETE, each at a later ms', async () => {
  await deploy({ Group: {} });

  expect(changes('Group')).toEqual([
    ['CREATE_IN_PROGRESS', undefined],
    ['CREATE_COMPLETE', 'phys-Group'],
  ]);
  expect(changes('Fn')).toEqual([
    ['CREATE_IN_PROGRESS', undefined],
    ['CREATE_COMPLETE', 'Fixture-Fn'],
  ]);
  expect(stackChanges()).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
  const times = cfn.stackEvents.map((e) => e.at.getTime());
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(new Set(times).size).toBe(times.length);
  const inProgress = cfn.stackEvents.find((e) => e.logicalId === 'Group')!;
  expect(cfn.sent[0].issued.getTime()).toBeGreaterThanOrEqual(inProgress.at.getTime());
  expect(cfn.resourceStatus(STACK, 'Group')).toEqual({ logicalId: 'Group', type: 'Custom::Fixture', physicalId: 'phys-Group', status: 'CREATE_COMPLETE', updated: cfn.stackEvents.filter((e) => e.logicalId === 'Group').at(-1)!.at });
  expect(cfn.stackStatus(STACK)).toBe('CREATE_COMPLETE');
});

it('replaces: the record shows the new physical ID through the cleanup Delete of the old one', async () => {
  await deploy({ Group: { X: '1' } });
  const from = cfn.stackEvents.length;

  await deploy({ Group: { X: '2', UpdateId: 'phys-new' } });

  expect(cfn.sent.map((s) => [s.requestType, s.phase, s.event.PhysicalResourceId])).toEqual([
    ['Create', 'deploy', undefined],
    ['Update', 'deploy', 'phys-Group'],
    ['Delete', 'cleanup', 'phys-Group'],
  ]);
  expect(changes('Group', from)).toEqual([
    ['UPDATE_IN_PROGRESS', 'phys-Group'],
    ['UPDATE_COMPLETE', 'phys-new'],
  ]);
  expect(stackChanges(from)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']);
  expect(cfn.resourceStatus(STACK, 'Group')).toMatchObject({ physicalId: 'phys-new', status: 'UPDATE_COMPLETE' });
});

it('rolls back a failed Update with an Update that goes UPDATE_IN_PROGRESS again, at its own later time', async () => {
  await deploy({ Group: { Name: 'a' } });
  const from = cfn.stackEvents.length;

  await deploy({ Group: { Name: 'b', OnUpdate: 'fail' } });

  expect(changes('Group', from)).toEqual([
    ['UPDATE_IN_PROGRESS', 'phys-Group'],
    ['UPDATE_FAILED', 'phys-Group'],
    ['UPDATE_IN_PROGRESS', 'phys-Group'],
    ['UPDATE_COMPLETE', 'phys-Group'],
  ]);
  const [first, failed, again] = cfn.stackEvents.slice(from).filter((e) => e.logicalId === 'Group');
  expect(failed.reason).toBe('told to fail the Update');
  expect(again.at.getTime()).toBeGreaterThan(first.at.getTime());
  expect(stackChanges(from)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']);
});

it('rolls back a failed Create: the resource is deleted and leaves the stack, which stays ROLLBACK_COMPLETE', async () => {
  await deploy({ Group: { OnCreate: 'fail' } });

  expect(changes('Group')).toEqual([
    ['CREATE_IN_PROGRESS', undefined],
    ['CREATE_FAILED', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'],
    ['DELETE_IN_PROGRESS', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'],
    ['DELETE_COMPLETE', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'],
  ]);
  expect(stackChanges()).toEqual(['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE']);
  expect(cfn.stackStatus(STACK)).toBe('ROLLBACK_COMPLETE');
  expect(cfn.resourceStatus(STACK, 'Group')).toBeUndefined();
});

it('removes a resource the new template dropped in the cleanup, and deletes every resource with the stack', async () => {
  await deploy({ Keep: {}, Drop: {} });
  const from = cfn.stackEvents.length;
  await deploy({ Keep: {} });

  expect(changes('Drop', from)).toEqual([
    ['DELETE_IN_PROGRESS', 'phys-Drop'],
    ['DELETE_COMPLETE', 'phys-Drop'],
  ]);
  expect(cfn.resourceStatus(STACK, 'Drop')).toBeUndefined();

  const destroying = cfn.stackEvents.length;
  await cfn.destroy(STACK);
  expect(changes('Keep', destroying)).toEqual([
    ['DELETE_IN_PROGRESS', 'phys-Keep'],
    ['DELETE_COMPLETE', 'phys-Keep'],
  ]);
  expect(stackChanges(destroying)).toEqual(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
  expect(cfn.stackStatus(STACK)).toBe('DELETE_COMPLETE');
  expect(cfn.resourceStatus(STACK, 'Keep')).toBeUndefined();
});

it('marks a failed Delete DELETE_FAILED and leaves the stack DELETE_FAILED', async () => {
  await deploy({ Group: { OnDelete: 'fail' } });

  await cfn.destroy(STACK);

  expect(cfn.resourceStatus(STACK, 'Group')).toMatchObject({ status: 'DELETE_FAILED', physicalId: 'phys-Group', reason: 'told to fail the Delete' });
  expect(cfn.stackStatus(STACK)).toBe('DELETE_FAILED');
});

it('cleans up after a rollback that replaced a resource in UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS, the record on the rollback\'s new ID', async () => {
  await deploy({ Group: { CreateId: 'p1', UpdateId: 'p1-back', X: '1' }, Breaks: { DependsOn: ['Group'], X: '1' } });
  const from = cfn.stackEvents.length;

  await deploy({ Group: { CreateId: 'p1', X: '2' }, Breaks: { DependsOn: ['Group'], X: '2', OnUpdate: 'fail' } });

  expect(stackChanges(from)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']);
  expect(cfn.sent.at(-1)).toMatchObject({ requestType: 'Delete', phase: 'rollback-cleanup', event: expect.objectContaining({ PhysicalResourceId: 'p1' }) });
  expect(cfn.resourceStatus(STACK, 'Group')).toMatchObject({ status: 'UPDATE_COMPLETE', physicalId: 'p1-back' });
});
