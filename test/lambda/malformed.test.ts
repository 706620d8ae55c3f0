import {
  ChimeSDKVoiceClient,
  CreateVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  ListVoiceConnectorGroupsCommand,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { MAX_RESPONSE_BYTES } from '../../local/driver';
import { LIMITS, SDK_VOICE_NAME_PATTERN } from '../../lib/rules';
import { handler } from '../../lambda/index';
import { createEvent, respondTo, updateEvent } from './cfn';

const sdk = mockClient(ChimeSDKVoiceClient);
const respond = (event: unknown) => respondTo(event);
const valid = { apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-east-1', voiceConnectorGroupName: 'pbx' };
const item = (priority: unknown, voiceConnectorId: unknown = 'vc-1') => ({ ...valid, voiceConnectorItems: [{ voiceConnectorId, priority }] });

beforeEach(() => {
  sdk.reset();
  sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { VoiceConnectorGroupId: 'grp-1' } });
  sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { VoiceConnectorGroupId: 'grp-1' } });
  sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { VoiceConnectorGroupId: 'grp-1' } });
  // The group a Create made is listed, as the service lists it.
  sdk.on(ListVoiceConnectorGroupsCommand).callsFake(() => ({ VoiceConnectorGroups: sdk.commandCalls(CreateVoiceConnectorGroupCommand).length > 0 ? [{ VoiceConnectorGroupId: 'grp-1' }] : [] }));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

/** Replaces an event's properties as they arrive, without CloudFormation's string conversion. */
const withProperties = (ResourceProperties: unknown) => ({ ...createEvent({}), ResourceProperties });

describe('answers malformed events with FAILED, a readable reason, and no API call', () => {
  it.each<[string, unknown, string]>([
    ['no ResourceProperties', withProperties(undefined), 'ResourceProperties: missing or not an object'],
    ['ResourceProperties that are a string', withProperties('pbx'), 'ResourceProperties: missing or not an object'],
    ['no apiNamespace', createEvent({ ...valid, apiNamespace: undefined }), 'apiNamespace: missing'],
    ['an unknown apiNamespace', createEvent({ ...valid, apiNamespace: 'Skype' }), "apiNamespace: 'Skype' is not a namespace"],
    ['no name', createEvent({ ...valid, voiceConnectorGroupName: undefined }), 'voiceConnectorGroupName: missing'],
    ['a name that is a number', withProperties({ ...valid, voiceConnectorGroupName: 42 }), 'voiceConnectorGroupName: 42 is not a string'],
    ['a name of 100,000 characters', createEvent({ ...valid, voiceConnectorGroupName: 'x'.repeat(100_000) }), '100000 characters given'],
    ['items that are a string', createEvent({ ...valid, voiceConnectorItems: 'vc-1' }), "voiceConnectorItems: 'vc-1' is not a list"],
    ['an item that is a string', createEvent({ ...valid, voiceConnectorItems: ['vc-1'] }), 'voiceConnectorItems[0]: \'vc-1\' is not an object'],
    ['an item without a connector ID', createEvent({ ...valid, voiceConnectorItems: [{ priority: '1' }] }), 'voiceConnectorItems[0].voiceConnectorId: missing'],
    ['a connector ID that is an object', withProperties(item('1', { Ref: 'X' })), 'voiceConnectorItems[0].voiceConnectorId: {"Ref":"X"} is not a string'],
    ['a priority in words', createEvent(item('one')), "'one' is not a whole number"],
    ['a priority with a decimal point', createEvent(item('1.0')), "'1.0' is not a whole number"],
    ['a priority in exponent form', createEvent(item('1e1')), "'1e1' is not a whole number"],
    ['a priority in hex', createEvent(item('0x1')), "'0x1' is not a whole number"],
    ['a priority with spaces', createEvent(item(' 1')), "' 1' is not a whole number"],
    ['an empty priority', createEvent(item('')), "'' is not a whole number"],
    ['a negative priority', createEvent(item('-1')), 'voiceConnectorItems[0].priority: -1 is not allowed'],
    ['a priority of 100', createEvent(item('100')), 'voiceConnectorItems[0].priority: 100 is not allowed'],
    ['an unknown call distribution', createEvent({ ...valid, callDistribution: 'Random' }), "callDistribution: 'Random' is not one of"],
    ['a Region that is no Region', createEvent({ ...valid, apiRegion: 'mars' }), "apiRegion: 'mars' is not an AWS Region name"],
    ['an unknown request type', { ...createEvent(valid), RequestType: 'Upsert' }, 'Unknown RequestType "Upsert"'],
    ['no request type', { ...createEvent(valid), RequestType: undefined }, 'Unknown RequestType undefined'],
  ])('%s', async (_case, event, reason) => {
    const response = await respond(event);

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(reason);
    expect(response.Reason).not.toMatch(/\n\s+at /);
    expect(sdk.calls()).toHaveLength(0);
  });

  it('keeps the response under 4 KB when a thousand items are wrong', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ voiceConnectorId: `vc-${i}`, priority: 'x' }));

    const response = await respond(createEvent({ ...valid, voiceConnectorItems: items }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain("voiceConnectorItems[0].priority: 'x' is not a whole number");
    expect(response.Reason).toContain("more characters in the function's log");
    expect(response.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });
});

/** What the API itself would accept, to judge every call the handler made. */
function acceptable(input: { Name?: string; VoiceConnectorItems?: { VoiceConnectorId?: string; Priority?: number }[] }): boolean {
  const items = input.VoiceConnectorItems ?? [];
  return (
    typeof input.Name === 'string' &&
    input.Name.length <= LIMITS.nameMaxLength &&
    SDK_VOICE_NAME_PATTERN.test(input.Name) &&
    items.length <= LIMITS.maxItems &&
    new Set(items.map((i) => i.VoiceConnectorId)).size === items.length &&
    items.every((i) => typeof i.VoiceConnectorId === 'string' && Number.isInteger(i.Priority) && i.Priority! >= 1 && i.Priority! <= 99)
  );
}

it('answers any properties within 4 KB, and calls the API only with input the API accepts', async () => {
  // Mostly valid values with an occasional wrong one, so that many events reach the API.
  const scalar = fc.oneof(fc.string({ maxLength: 300 }), fc.integer().map(String), fc.constantFrom('1.5', '', ' ', '1e1'), fc.integer(), fc.boolean(), fc.constant(null));
  const often = <T>(good: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: scalar, weight: 1 });
  const anyItem = often(
    fc.record({ voiceConnectorId: often(fc.constantFrom('vc-1', 'vc-2', 'vc-3', 'vc-4')), priority: often(fc.integer({ min: -1, max: 100 }).map(String)) }),
  );
  const properties = fc.record(
    {
      apiNamespace: often(fc.constant('ChimeSDKVoice')),
      apiRegion: often(fc.constantFrom('us-east-1', 'eu-west-2')),
      voiceConnectorGroupName: often(fc.stringMatching(/^[a-z0-9 _.-]{1,300}$/)),
      voiceConnectorItems: often(fc.array(anyItem, { maxLength: 4 })),
      callDistribution: often(fc.constantFrom('LoadBalancedDistribution', 'PriorityWeightedDistribution')),
    },
    { requiredKeys: ['apiNamespace', 'voiceConnectorGroupName'] },
  );
  let called = 0;

  await fc.assert(
    fc.asyncProperty(properties, fc.boolean(), async (props, update) => {
      sdk.resetHistory();
      const event = update ? updateEvent('grp-1', props, props) : createEvent(props);
      const response = await respond(event);

      expect(['SUCCESS', 'FAILED']).toContain(response.Status);
      expect(response.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
      if (response.Status === 'FAILED') {
        expect(response.Reason.length).toBeGreaterThan(10);
        expect(sdk.calls()).toHaveLength(0);
      }
      const writes = [...sdk.commandCalls(CreateVoiceConnectorGroupCommand), ...sdk.commandCalls(UpdateVoiceConnectorGroupCommand)];
      for (const call of writes) expect(acceptable(call.args[0].input)).toBe(true);
      called += writes.length;
    }),
    { numRuns: 400, seed: 20261125 },
  );
  // The generator must reach the API often enough for the last check to mean something.
  expect(called).toBeGreaterThan(40);
});

describe('an event whose answer cannot be sent', () => {
  it.each<[string, unknown]>([
    ['no ResponseURL', { ...createEvent(valid), ResponseURL: undefined }],
    ['a ResponseURL that is no URL', { ...createEvent(valid), ResponseURL: 'not a url' }],
    ['a ResponseURL over plain http', { ...createEvent(valid), ResponseURL: 'http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x' }],
  ])('with %s is refused at once, before anything is changed', async (_case, event) => {
    await expect(handler(event as never)).rejects.toThrow('it has no https ResponseURL to answer');
    expect(sdk.calls()).toHaveLength(0);
  });
});
