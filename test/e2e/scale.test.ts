import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { VoiceConnectorGroup } from '../../lib';
import { Local, STACK, startLocal } from './harness';

jest.setTimeout(110_000);

let local: Local;
beforeAll(async () => {
  // The stack makes 100 groups at once, far past the account's default quota of 3; a real account
  // would have asked AWS to raise it. Any quota of at least 100 serves; 150 is what this test always used.
  local = await startLocal({ groupQuota: 150 });
});
afterAll(async () => {
  await local.stop();
});

it('creates 100 groups of one stack concurrently under 20% throttling, then deletes them all', async () => {
  const { endpoint, cfn } = local;
  const connectors = ['us-east-1', 'us-west-2', 'us-east-1'].map((region) => endpoint.addConnector(region));
  let template: Template | undefined;
  const outdir = local.synth((s: Stack) => {
    for (let i = 0; i < 100; i++) {
      new VoiceConnectorGroup(s, `Group${i}`, {
        voiceConnectorItems: connectors.slice(0, 1 + (i % 3)).map((voiceConnectorId, p) => ({ voiceConnectorId, priority: p + 1 })),
      });
    }
    template = Template.fromStack(s);
  });
  template!.resourceCountIs('AWS::Lambda::Function', 1);
  endpoint.failFraction(0.2, 'ThrottledClient');

  const created = await cfn.deploy(outdir, STACK);

  expect(created.status).toBe('CREATE_COMPLETE');
  expect(created.events).toHaveLength(100);
  expect(created.events.filter((e) => e.status !== 'SUCCESS')).toEqual([]);
  expect(endpoint.groups.size).toBe(100);
  expect(endpoint.calls('CreateVoiceConnectorGroup')).toBe(100);

  const deleted = await cfn.destroy(STACK);

  expect(deleted.status).toBe('DELETE_COMPLETE');
  expect(deleted.events.filter((e) => e.status !== 'SUCCESS')).toEqual([]);
  expect(endpoint.groups.size).toBe(0);
  expect(cfn.events.filter((e) => e.status === 'UNANSWERED')).toEqual([]);
  expect(cfn.violations).toEqual([]);
  expect(endpoint.requests.filter((r) => r.faulted).length).toBeGreaterThan(20);
});
