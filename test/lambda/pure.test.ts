import { ApiNamespace } from '../../lib/rules';
import { describeApiError, errorName, GroupError, shorten } from '../../lambda/errors';
import { declaredNumbers, declaresNumbers, locate, parseGroupSpec, storedAdoption, storedNamespace } from '../../lambda/properties';
import { LagClock, pastReadLag } from '../../lambda/retry';

describe('describeApiError', () => {
  it.each<[string, unknown, string]>([
    ['an SDK error with its attempts', Object.assign(new Error('Rate exceeded'), { name: 'ThrottledClientException', $metadata: { attempts: 8 } }), 'CreateVoiceConnectorGroup for Group failed after 8 attempts: ThrottledClientException: Rate exceeded (the API kept throttling after every retry; deploy again when the account is less busy)'],
    ['an error of one attempt', Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { attempts: 1 } }), 'CreateVoiceConnectorGroup for Group failed: AccessDeniedException: no ('],
    ['an error without a hint', Object.assign(new Error('odd'), { name: 'OddException' }), 'CreateVoiceConnectorGroup for Group failed: OddException: odd (see the API message above)'],
    ['something thrown that is not an Error', 'boom', 'CreateVoiceConnectorGroup for Group failed: Error: boom (see the API message above)'],
  ])('words %s as a sentence naming the operation', (_case, err, start) => {
    expect(describeApiError('CreateVoiceConnectorGroup', 'Group', err).message.startsWith(start)).toBe(true);
  });

  it('keeps a GroupError as it is, and its stack is its message alone', () => {
    const own = new GroupError('said already');
    expect(describeApiError('x', 'y', own)).toBe(own);
    expect(own.stack).toBe('said already');
  });

  it('cuts the API\'s own words to 800 bytes so the hint and what follows survive', () => {
    const message = describeApiError('Op', 'Group', Object.assign(new Error('é'.repeat(2_000)), { name: 'BadRequestException' })).message;
    expect(message).toMatch(/more characters\) \(the API rejected the request/);
    expect(Buffer.byteLength(message)).toBeLessThan(1_100);
  });

  it.each<[unknown, string]>([
    [Object.assign(new Error(), { name: 'NotFoundException' }), 'NotFoundException'],
    [undefined, 'Error'],
  ])('names %p as %s', (err, name) => {
    expect(errorName(err)).toBe(name);
  });
});

describe('shorten', () => {
  it.each([
    ['text that fits', 'short', 10, 'short'],
    ['text that does not', 'abcdefghijklmnopqrstuvwxyz', 24, 'ab… (24 more characters)'],
  ])('cuts %s between code points, saying how much it left out', (_case, text, max, expected) => {
    expect(shorten(text, (t) => t.length <= max, '')).toBe(expected);
  });

  it('gives up when not even the note fits', () => {
    expect(shorten('abcdef', (t) => t.length <= 2, '')).toBeUndefined();
  });
});

describe('properties', () => {
  it.each<[string, unknown, string[], boolean]>([
    ['a list of numbers', { phoneNumbers: ['+12065550100', 7, '+12065550101'] }, ['+12065550100', '+12065550101'], true],
    ['an empty list', { phoneNumbers: [] }, [], true],
    ['no list', {}, [], false],
    ['no properties at all', undefined, [], false],
  ])('reads the declared numbers of %s leniently', (_case, raw, numbers, declares) => {
    expect(declaredNumbers(raw)).toEqual(numbers);
    expect(declaresNumbers(raw)).toBe(declares);
  });

  it.each<[string, unknown, string | undefined, object | undefined]>([
    ['the stored namespace and Region', { apiNamespace: 'ChimeSDKVoice', apiRegion: 'eu-west-2' }, 'ChimeSDKVoice', { namespace: ApiNamespace.CHIME_SDK_VOICE, region: 'eu-west-2' }],
    ['the legacy namespace, always in us-east-1', { apiNamespace: 'Chime', apiRegion: 'eu-west-2' }, 'Chime', { namespace: ApiNamespace.CHIME, region: 'us-east-1' }],
    ['no Region: the function\'s', { apiNamespace: 'ChimeSDKVoice' }, 'ChimeSDKVoice', { namespace: ApiNamespace.CHIME_SDK_VOICE, region: 'ap-southeast-2' }],
    ['an unknown namespace: the default one', { apiNamespace: 'chime' }, undefined, { namespace: ApiNamespace.CHIME_SDK_VOICE, region: 'ap-southeast-2' }],
  ])('locates %s', (_case, raw, namespace, location) => {
    expect(storedNamespace(raw)).toBe(namespace);
    expect(locate(raw, 'ap-southeast-2')).toEqual(location);
  });

  it('reads scalars CloudFormation sends as strings', () => {
    const spec = parseGroupSpec({ apiNamespace: 'ChimeSDKVoice', voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: 'vc-1', priority: '2' }], forceAssociate: 'true' }, 'Group');
    expect(spec).toMatchObject({ voiceConnectorItems: [{ voiceConnectorId: 'vc-1', priority: 2 }], forceAssociate: true });
  });

  const ID = 'a6c3582e-ac81-40e1-9c6c-0a7ee79fb842';
  it.each<[string, object, object | string]>([
    ['a group to make: no name', { apiNamespace: 'ChimeSDKVoice' }, 'voiceConnectorGroupName: missing; it is required'],
    ['a group to make: no items means none', { apiNamespace: 'ChimeSDKVoice', voiceConnectorGroupName: 'pbx' }, { voiceConnectorItems: [] }],
    ['an adopted group: name and items left to the group', { apiNamespace: 'ChimeSDKVoice', adoptVoiceConnectorGroupId: ID }, { adoptVoiceConnectorGroupId: ID, voiceConnectorGroupName: undefined, voiceConnectorItems: undefined }],
    ['an adopted group: an empty item list declared', { apiNamespace: 'ChimeSDKVoice', adoptVoiceConnectorGroupId: ID, voiceConnectorItems: [] }, { voiceConnectorItems: [] }],
    ['an adoption ID that is no group ID', { apiNamespace: 'ChimeSDKVoice', adoptVoiceConnectorGroupId: 'a/b' }, "adoptVoiceConnectorGroupId: 'a/b' is not a voice connector group ID"],
  ])('parses %s', (_case, raw, expected) => {
    if (typeof expected === 'string') expect(() => parseGroupSpec(raw, 'Group')).toThrow(expected);
    else expect(parseGroupSpec(raw, 'Group')).toMatchObject(expected);
  });

  it.each<[string, unknown, ReturnType<typeof storedAdoption>]>([
    ['no adoption', { voiceConnectorGroupName: 'pbx' }, undefined],
    ['an adoption leaving everything to the group', { adoptVoiceConnectorGroupId: ID }, { id: ID, leftOut: ['voiceConnectorGroupName', 'voiceConnectorItems', 'callDistribution'] }],
    ['an adoption declaring name and items', { adoptVoiceConnectorGroupId: ID, voiceConnectorGroupName: 'pbx', voiceConnectorItems: [] }, { id: ID, leftOut: ['callDistribution'] }],
    ['properties that are not an object', 'junk', undefined],
  ])('reads the stored adoption of %s', (_case, raw, expected) => {
    expect(storedAdoption(raw)).toEqual(expected);
  });
});

describe('pastReadLag', () => {
  const notFound = () => Object.assign(new Error('no such group'), { name: 'NotFoundException' });
  /** A group the service shows only from `visibleAt` on: calls naming it answer NotFound until then. */
  const lagging = (visibleAt: number) => async () => {
    if (Date.now() < visibleAt) throw notFound();
    return 'read';
  };

  it('takes NotFound as final once the group has been read', async () => {
    const lag = new LagClock();
    await pastReadLag(async () => 'read', AbortSignal.timeout(5_000), 2_000, undefined, lag);

    await expect(pastReadLag(lagging(Date.now() + 200), AbortSignal.timeout(5_000), 2_000, undefined, lag)).rejects.toThrow('no such group');
  });

  it('does not take an answer that cannot show the group (ListPhoneNumbers filtered by it) as a sign it can be read', async () => {
    const lag = new LagClock();
    await pastReadLag(async () => [], AbortSignal.timeout(5_000), 2_000, undefined, lag, false);

    await expect(pastReadLag(lagging(Date.now() + 200), AbortSignal.timeout(5_000), 2_000, undefined, lag)).resolves.toBe('read');
  });
});
