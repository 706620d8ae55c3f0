import { makeHandler, RESPONSE_RESERVE_MS } from '../../lambda/handler';
import { createEvent } from './cfn';

beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

it('aborts API calls before the Lambda times out, so the answer can still be sent', async () => {
  let seen: AbortSignal | undefined;
  // An API that never answers unless its call is aborted.
  const handler = makeHandler((_namespace, _region, signal) => {
    seen = signal;
    const hang = () =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }))));
    return { create: hang, update: hang, get: hang, delete: hang, list: hang, phoneNumbers: hang };
  });
  const context = { getRemainingTimeInMillis: () => RESPONSE_RESERVE_MS + 1_000 };

  const outcome = handler(createEvent({ apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-east-1', voiceConnectorGroupName: 'slow' }) as never, context);

  await expect(outcome).rejects.toThrow(/CreateVoiceConnectorGroup for Group \(ChimeSDKVoice\) failed: AbortError.*before the handler deadline/);
  expect(seen?.aborted).toBe(true);
});
