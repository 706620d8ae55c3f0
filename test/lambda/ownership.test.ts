import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CREATE_FAILED_MARKER, fitReason, responseBody } from '../../lambda/cfn-response';
// The limit as the local CloudFormation models it (its own copy, with its source): not the handler's.
import { MAX_RESPONSE_BYTES } from '../../local/driver';
import { Ledger } from '../../lambda/ledger';
import { DescribeResource, groupsOfRequest, issuedAt, requestState } from '../../lambda/ownership';
import { maskNumbers } from '../../lambda/phone-numbers';
import { whereToLook } from '../../lambda/properties';
import { amzDate, createEvent, deleteEvent, responseUrl, updateEvent } from './cfn';

const NOW = Date.now();
const signal = () => AbortSignal.timeout(5_000);
const recorded = (status: string | undefined, physicalId?: string, lastUpdated = new Date(NOW - 1_000)): DescribeResource => async () => ({ status, physicalId, lastUpdated });
const failing = (name: string, message = 'no'): DescribeResource => async () => {
  throw Object.assign(new Error(message), { name });
};
const issuedNow = (event: CloudFormationCustomResourceEvent, at = NOW) => ({ ...event, ResponseURL: responseUrl(at) }) as CloudFormationCustomResourceEvent;

describe('issuedAt', () => {
  it.each<[string, unknown, number | undefined]>([
    ['a SigV4 presigned URL', responseUrl(Date.UTC(2026, 10, 29, 10, 0, 7)), Date.UTC(2026, 10, 29, 10, 0, 7)],
    ['a SigV2 URL, which has no X-Amz-Date', 'https://bucket.s3.amazonaws.com/key?AWSAccessKeyId=AKIA&Expires=1790000000&Signature=abc', undefined],
    ['a malformed X-Amz-Date', 'https://bucket.s3.amazonaws.com/key?X-Amz-Date=yesterday', undefined],
    ['something that is not a URL', 'not a url', undefined],
    ['no URL at all', undefined, undefined],
  ])('reads %s', (_case, url, expected) => {
    expect(issuedAt(url)).toBe(expected);
  });

  it('reads the form the tests write', () => {
    expect(amzDate(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('20260102T030405Z');
  });
});

describe('groupsOfRequest', () => {
  const input = { Name: 'pbx', VoiceConnectorItems: [{ VoiceConnectorId: 'vc-1', Priority: 1 }] };
  const group = (id: string, agoMs: number, extra: object = {}) => ({ VoiceConnectorGroupId: id, Name: 'pbx', VoiceConnectorItems: input.VoiceConnectorItems, CreatedTimestamp: new Date(NOW - agoMs), ...extra });

  it('takes only groups made since the epoch, with this name and these items, oldest first', () => {
    const epoch = NOW - 10_000;
    const groups = [group('newer', 1_000), group('older', 5_000), group('before', 20_000), group('renamed', 1_000, { Name: 'other' }), group('undated', 1_000, { CreatedTimestamp: undefined })];

    expect(groupsOfRequest(groups, input, epoch).map((g) => g.VoiceConnectorGroupId)).toEqual(['older', 'newer']);
  });
});

describe('requestState', () => {
  const create = issuedNow(createEvent({ ServiceTimeout: 300 }));
  const update = issuedNow(updateEvent('grp-1', { ServiceTimeout: 300 }, {}));
  const del = issuedNow(deleteEvent('grp-1', { ServiceTimeout: 300 }));

  it.each<[string, CloudFormationCustomResourceEvent, DescribeResource | undefined, string]>([
    ['a Create CloudFormation waits for', create, recorded('CREATE_IN_PROGRESS'), 'waiting'],
    ['a Create already answered', create, recorded('CREATE_COMPLETE', 'grp-1'), 'answered'],
    ['a Create whose stack is gone', create, failing('ValidationError', 'Stack with id X does not exist'), 'answered'],
    ['an Update CloudFormation waits for', update, recorded('UPDATE_IN_PROGRESS', 'grp-1'), 'waiting'],
    ['an Update whose resource is in progress for a later request (a rollback)', update, recorded('UPDATE_IN_PROGRESS', 'grp-1', new Date(NOW + 30_000)), 'answered'],
    ['an Update whose record shows another physical ID (a move answered already)', update, recorded('UPDATE_COMPLETE', 'grp-2'), 'answered'],
    ['a Delete of a replaced physical ID, whose record shows another resource state', del, recorded('UPDATE_COMPLETE', 'grp-2'), 'unknown'],
    ['a Delete already answered', del, recorded('DELETE_COMPLETE', 'grp-1'), 'answered'],
    ['any event when the look-up is refused', create, failing('AccessDenied'), 'unknown'],
    ['any event when the function may not look', create, undefined, 'unknown'],
  ])('says %s', async (_case, event, describe, kind) => {
    expect((await requestState(describe, event, issuedAt(event.ResponseURL), signal())).kind).toBe(kind);
  });

  it('tells a later request in progress (a rollback) by when the delivery started, when the URL has no issue time', async () => {
    const unsigned = { ...update, ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?AWSAccessKeyId=AKIA&Expires=1&Signature=s' } as CloudFormationCustomResourceEvent;

    expect((await requestState(recorded('UPDATE_IN_PROGRESS', 'grp-1', new Date(NOW + 30_000)), unsigned, undefined, signal(), NOW)).kind).toBe('answered');
    expect((await requestState(recorded('UPDATE_IN_PROGRESS', 'grp-1', new Date(NOW - 500)), unsigned, undefined, signal(), NOW)).kind).toBe('waiting');
  });

  it('says a delivery later than the ServiceTimeout after the issue time is too late, without asking', async () => {
    const late = issuedNow(createEvent({ ServiceTimeout: 300 }), NOW - 301_000 - 2_000);
    const describe = jest.fn(recorded('CREATE_IN_PROGRESS'));

    const state = await requestState(describe, late, issuedAt(late.ResponseURL), signal());

    expect(state).toEqual({ kind: 'answered', why: "CloudFormation stopped waiting 300 s (the resource's ServiceTimeout) after it issued the request" });
    expect(describe).not.toHaveBeenCalled();
  });

  it('asks again while the look-up is throttled', async () => {
    const describe = jest.fn<ReturnType<DescribeResource>, Parameters<DescribeResource>>().mockRejectedValueOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })).mockResolvedValue({ status: 'CREATE_COMPLETE' });

    expect((await requestState(describe, create, issuedAt(create.ResponseURL), signal())).kind).toBe('answered');
    expect(describe).toHaveBeenCalledTimes(2);
  });
});

describe('Ledger', () => {
  const change = (what: string, undone: string[], fail = false) => ({
    what,
    undo: async () => {
      if (fail) throw Object.assign(new Error(`cannot undo ${what}`), { name: 'AccessDeniedException' });
      undone.push(what);
    },
  });

  it('undoes newest first, and stops at the first undo that fails, naming what it left', async () => {
    const undone: string[] = [];
    const ledger = new Ledger();
    await ledger.apply(change('a', undone), async () => 1);
    await ledger.apply(change('b', undone, true), async () => 2);
    await ledger.apply(change('c', undone), async () => 3);

    const report = await ledger.undo(signal());

    expect(undone).toEqual(['c']);
    expect(report).toMatchObject({ undone: ['c'], failed: { what: 'b' }, kept: ['a'] });
    expect(ledger.empty).toBe(true);
  });

  it.each([
    ['strikes off a single request the API refused on its only attempt', true, { httpStatusCode: 400, attempts: 1 }, true],
    ['keeps a single request refused after the SDK retried an attempt whose answer was lost', true, { httpStatusCode: 400, attempts: 3 }, false],
    ['keeps a single request that failed without an answer', true, { attempts: 1 }, false],
    ['keeps a call that may have retried on its own, whatever its last answer', false, { httpStatusCode: 400, attempts: 1 }, false],
  ])('%s', async (_case, singleRequest, $metadata, struck) => {
    const ledger = new Ledger();
    const refusal = Object.assign(new Error('refused'), { name: 'BadRequestException', $metadata });

    await expect(ledger.apply({ what: 'x', singleRequest, undo: async () => undefined }, async () => Promise.reject(refusal))).rejects.toBe(refusal);

    expect(ledger.empty).toBe(struck);
  });

  it('says what an undo found, instead of what was done, when the undo says so', async () => {
    const ledger = new Ledger();
    await ledger.apply({ what: 'associated +1', undo: async () => 'nothing to undo for +1' }, async () => undefined);

    expect((await ledger.undo(signal())).undone).toEqual(['nothing to undo for +1']);
  });
});

describe('maskNumbers', () => {
  it.each([
    ['+12065550100', '+*******0100'],
    ['+1 206 555 0100', '+* *** *** 0100'],
    ['12065550101', '*******0101'],
    ['+1-206-555-0102', '+*-***-***-0102'],
    ['(206) 555-0103', '(***) ***-0103'],
    ['group 8f607ff8-4221-42fb-9fa7-3442c9def460', 'group 8f607ff8-4221-42fb-9fa7-3442c9def460'],
    ['group 70313067-e6e7-4681-8562-f78b4ee7304b', 'group 70313067-e6e7-4681-8562-f78b4ee7304b'],
    ['"requestId":"13587000-ea9e-49ff-8a1b-000000000001"', '"requestId":"13587000-ea9e-49ff-8a1b-000000000001"'],
    ['arn:aws:iam::123456789012:role/provider', 'arn:aws:iam::123456789012:role/provider'],
    ['numbers +12065550100, +12065550101.', 'numbers +*******0100, +*******0101.'],
    ['(+12065550100)', '(+*******0100)'],
    ['2026-11-29T08:30:13.054Z', '2026-11-29T08:30:13.054Z'],
    ['"ms":20301', '"ms":20301'],
  ])('masks %s as %s', (text, masked) => {
    expect(maskNumbers(text)).toBe(masked);
  });
});

describe('whereToLook', () => {
  it.each<[string, unknown, string[], string | undefined]>([
    ['a Region', 'eu-west-1', ['ChimeSDKVoice eu-west-1'], undefined],
    ['no Region: the function\'s', undefined, ['ChimeSDKVoice us-east-1'], undefined],
    ['a Region in capitals: its lower case, then the function\'s', 'EU-WEST-1', ['ChimeSDKVoice eu-west-1', 'ChimeSDKVoice us-east-1'], 'EU-WEST-1'],
    ['a list: the function\'s, and unreadable', ['eu-west-1'], ['ChimeSDKVoice us-east-1'], '["eu-west-1"]'],
  ])('looks where %s says', (_case, apiRegion, places, unreadable) => {
    const found = whereToLook({ apiNamespace: 'ChimeSDKVoice', apiRegion }, 'us-east-1');

    expect(found.places.map((p) => `${p.namespace} ${p.region}`)).toEqual(places);
    expect(found.unreadable).toBe(unreadable);
  });
});

describe('responses', () => {
  const event = { RequestType: 'Create', StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/S/guid', RequestId: 'r', LogicalResourceId: 'Group' };

  it('answers a failed Create without a group with the marker, which names no group', () => {
    expect(JSON.parse(responseBody(event, { status: 'FAILED', reason: 'no' })).PhysicalResourceId).toBe(CREATE_FAILED_MARKER);
  });

  it.each([1, 2, 3, 4])('fits a reason of %i-byte characters to exactly the limit or just under', (width) => {
    const char = ['a', 'é', '€', '📞'][width - 1];
    const reason = fitReason(event, char.repeat(5_000));
    const bytes = Buffer.byteLength(responseBody(event, { status: 'FAILED', reason }));

    expect(bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(bytes).toBeGreaterThan(MAX_RESPONSE_BYTES - 8);
    expect(reason).toMatch(/more characters in the function's log\)$/);
  });

  it('leaves a reason that fits as it is', () => {
    expect(fitReason(event, 'short')).toBe('short');
  });
});
