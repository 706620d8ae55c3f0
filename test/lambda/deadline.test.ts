import { makeHandler, RESPONSE_RESERVE_MS } from '../../lambda/framework';
import { createEvent, deleteEvent } from './cfn';

/** The bodies the handler PUT, parsed. */
const answers: { Status: string; Reason: string }[] = [];

beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

/** An API that never answers unless its call is aborted; it records when each call was aborted. */
function hangingApi() {
  const aborted: number[] = [];
  const connect = (_namespace: unknown, _region: unknown, signal: AbortSignal) => {
    const hang = () =>
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => {
          aborted.push(Date.now());
          reject(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
        }),
      );
    return { create: hang, update: hang, get: hang, delete: hang, list: hang, phoneNumbers: hang, associate: hang, disassociate: hang };
  };
  answers.length = 0;
  const handler = makeHandler({ connect, put: async (_url, body) => void answers.push(JSON.parse(body)) });
  return { handler, aborted };
}

it('aborts API calls before the Lambda times out, so the answer can still be sent', async () => {
  const { handler, aborted } = hangingApi();
  const started = Date.now();
  const context = { getRemainingTimeInMillis: () => RESPONSE_RESERVE_MS + 1_000 - (Date.now() - started) };

  await handler(createEvent({ apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-east-1', voiceConnectorGroupName: 'slow' }) as never, context);

  expect(answers).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/ListVoiceConnectorGroups for Group \(ChimeSDKVoice\) failed: AbortError.*before the handler deadline/) })]);
  expect(aborted.length).toBeGreaterThan(0);
  // Every call ended before the time kept back for sending the answer.
  expect(Math.max(...aborted) - started).toBeLessThan(2_500);
});

it('answers a Delete whose calls hang, before the time kept for the answer', async () => {
  const { handler } = hangingApi();

  await handler(deleteEvent('grp-1', { apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-east-1' }) as never, { getRemainingTimeInMillis: () => RESPONSE_RESERVE_MS + 1_000 });

  expect(answers).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/GetVoiceConnectorGroup grp-1 for Group \(ChimeSDKVoice\) failed: AbortError/) })]);
});
