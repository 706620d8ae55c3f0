import {
  ChimeClient,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  ListPhoneNumbersCommand,
  ListVoiceConnectorGroupsCommand,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime';
import { chimeWire } from '../../lambda/chime';
import { createEvent, respondTo } from './cfn';

/**
 * The legacy client is typed against an older @smithy/types than aws-sdk-client-mock, so it is
 * tested through its narrow seam: a client whose `send` records what it is given.
 */
function recordingClient(reply: object = { VoiceConnectorGroup: { VoiceConnectorGroupId: 'grp-1', Name: 'pbx' } }) {
  const sent: { command: object; options: { abortSignal?: AbortSignal } }[] = [];
  const client = { send: async (command: object, options: { abortSignal?: AbortSignal }) => (sent.push({ command, options }), reply) };
  return { sent, client: client as unknown as Pick<ChimeClient, 'send'> };
}

const input = { Name: 'pbx', VoiceConnectorItems: [{ VoiceConnectorId: 'vc-1', Priority: 1 }] };

it('sends the legacy namespace its own command classes with the API inputs', async () => {
  const { sent, client } = recordingClient();
  const signal = new AbortController().signal;
  const wire = chimeWire(client, signal);

  expect(await wire.create(input)).toEqual({ VoiceConnectorGroupId: 'grp-1', Name: 'pbx' });
  await wire.update('grp-1', input);
  await wire.get('grp-1');
  await wire.delete('grp-1');
  await wire.list();
  await wire.phoneNumbers('grp-1');

  expect(sent.map(({ command }) => command.constructor)).toEqual([
    CreateVoiceConnectorGroupCommand,
    UpdateVoiceConnectorGroupCommand,
    GetVoiceConnectorGroupCommand,
    DeleteVoiceConnectorGroupCommand,
    ListVoiceConnectorGroupsCommand,
    ListPhoneNumbersCommand,
  ]);
  expect(sent.map(({ command }) => (command as { input: object }).input)).toEqual([
    input,
    { VoiceConnectorGroupId: 'grp-1', ...input },
    { VoiceConnectorGroupId: 'grp-1' },
    { VoiceConnectorGroupId: 'grp-1' },
    { MaxResults: 99 },
    { FilterName: 'VoiceConnectorGroupId', FilterValue: 'grp-1', MaxResults: 99 },
  ]);
  expect(sent.every(({ options }) => options.abortSignal === signal)).toBe(true);
});

it('handles a whole Create event in the legacy namespace through the one handler, always in us-east-1', async () => {
  const clients: ChimeClient[] = [];
  // send's overloads include a callback form returning void; the mock serves the promise form.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  const send = jest.spyOn(ChimeClient.prototype, 'send').mockImplementation(async function (this: ChimeClient) {
    clients.push(this);
    // The list shows the group made, as the service lists it once made.
    return { VoiceConnectorGroup: { VoiceConnectorGroupId: 'grp-9', Name: 'legacy' }, VoiceConnectorGroups: [{ VoiceConnectorGroupId: 'grp-9', Name: 'legacy' }] };
  });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const result = await respondTo({
    ...createEvent({ apiNamespace: 'Chime', voiceConnectorGroupName: 'legacy', voiceConnectorItems: [] }),
    LogicalResourceId: 'Legacy',
  });

  expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-9', Data: { VoiceConnectorGroupId: 'grp-9', VoiceConnectorGroupName: 'legacy' } });
  // Look for a group another delivery made, create, look again.
  expect(send).toHaveBeenCalledTimes(3);
  expect(await clients[0].config.region()).toBe('us-east-1');
  jest.restoreAllMocks();
});
