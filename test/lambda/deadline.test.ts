import { makeHandler, RESPONSE_RESERVE_MS } from '../../lambda/handler';
import { createEvent, deleteEvent } from './cfn';

beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

/** An API that never answers unless its call is aborted; it records when each call was aborted. */
function hangingApi() {
  const aborted: number[] = [];
  const handler = makeHandler((_namespace, _region, signal) => {
    const hang = () =>
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => {
          aborted.push(Date.now());
          reject(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
        }),
      );
    return { create: hang, update: hang, get: hang, delete: hang, list: hang, phoneNumbers: hang, associate: hang, disassociate: hang };
  });
  return { handler, aborted };
}

it('aborts API calls before the Lambda times out, so the answer can still be sent', async () => {
  const { handler, aborted } = hangingApi();
  const started = Date.now();
  const context = { getRemainingTimeInMillis: () => RESPONSE_RESERVE_MS + 1_000 - (Date.now() - started) };

  const outcome = handler(createEvent({ apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-east-1', voiceConnectorGroupName: 'slow' }) as never, context);

  await expect(outcome).rejects.toThrow(/ListVoiceConnectorGroups for Group \(ChimeSDKVoice\) failed: AbortError.*before the handler deadline/);
  expect(aborted.length).toBeGreaterThan(0);
  // Every call ended before the time kept back for sending the answer.
  expect(Math.max(...aborted) - started).toBeLessThan(2_500);
});

it('answers a Delete whose calls hang, before the time kept for the answer', async () => {
  const { handler } = hangingApi();

  const outcome = handler(deleteEvent('grp-1', { apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-east-1' }) as never, { getRemainingTimeInMillis: () => RESPONSE_RESERVE_MS + 1_000 });

  await expect(outcome).rejects.toThrow(/GetVoiceConnectorGroup grp-1 for Group \(ChimeSDKVoice\) failed: AbortError/);
});
