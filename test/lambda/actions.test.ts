import { HANDLER_ACTIONS, PHONE_NUMBER_ACTIONS } from '../../lib/rules';
import { GroupWire } from '../../lambda/api';
import { chimeWire } from '../../lambda/chime';
import { sdkVoiceWire } from '../../lambda/chime-sdk-voice';

/** The IAM action of each command a wire sends, when every operation it has is called. */
async function actionsSentBy(makeWire: (client: never) => GroupWire): Promise<string[]> {
  const actions = new Set<string>();
  const client = { send: async (command: object) => (actions.add(`chime:${command.constructor.name.replace(/Command$/, '')}`), {}) };
  const wire = makeWire(client as never);
  const input = { Name: 'n', VoiceConnectorItems: [] };
  await Promise.all([
    wire.create(input),
    wire.update('id', input),
    wire.get('id'),
    wire.delete('id'),
    wire.list(),
    wire.phoneNumbers('id'),
    wire.associate('id', ['+12065550100'], false),
    wire.disassociate('id', ['+12065550100']),
  ]);
  return [...actions].sort();
}

it.each([
  ['ChimeSDKVoice', sdkVoiceWire],
  ['Chime', chimeWire],
])('grants the handler exactly the actions of the commands the %s wire can send', async (_namespace, makeWire) => {
  // The phone-number actions are granted only in stacks that declare phone numbers (lib/voice-connector-group.ts).
  expect(await actionsSentBy(makeWire as (client: never) => GroupWire)).toEqual([...HANDLER_ACTIONS, ...PHONE_NUMBER_ACTIONS].sort());
});
