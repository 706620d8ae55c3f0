import { contractProblems, MAX_RESPONSE_BYTES } from '../../local/driver';

/** The driver's check of each answer against the custom resource contract must catch every breach. */
const event = { RequestType: 'Delete', RequestId: 'r-1', StackId: 'arn:stack', LogicalResourceId: 'Group', PhysicalResourceId: 'grp-1' };
const good = { Status: 'SUCCESS', RequestId: 'r-1', StackId: 'arn:stack', LogicalResourceId: 'Group', PhysicalResourceId: 'grp-1', Data: { VoiceConnectorGroupId: 'grp-1' } };
const problems = (response: object, forEvent: Record<string, unknown> = event) => contractProblems(forEvent, JSON.stringify(response));

it('passes an answer that keeps the contract', () => {
  expect(problems(good)).toEqual([]);
  expect(problems({ ...good, Status: 'FAILED', Reason: 'the API refused' })).toEqual([]);
});

it.each([
  ['an unknown status', { ...good, Status: 'OK' }, 'Status is "OK"'],
  ['a request ID that is not echoed', { ...good, RequestId: 'r-2' }, 'RequestId does not echo the request'],
  ['a stack ID that is not echoed', { ...good, StackId: 'other' }, 'StackId does not echo the request'],
  ['a logical ID that is not echoed', { ...good, LogicalResourceId: 'Other' }, 'LogicalResourceId does not echo the request'],
  ['a Delete that changes the physical ID', { ...good, PhysicalResourceId: 'grp-2' }, 'Delete changed the PhysicalResourceId'],
  ['a failure without a reason', { ...good, Status: 'FAILED', Reason: ' ' }, 'FAILED without a Reason'],
  ['nested data', { ...good, Data: { Items: ['a'] } }, 'Data is not a flat map of strings'],
])('flags %s', (_, response, problem) => {
  expect(problems(response)).toEqual([problem]);
});

it('flags a missing or oversized physical ID', () => {
  const create = { ...event, RequestType: 'Create', PhysicalResourceId: undefined };
  expect(problems({ ...good, PhysicalResourceId: '' }, create)).toEqual(['PhysicalResourceId is missing or longer than 1 KB']);
  expect(problems({ ...good, PhysicalResourceId: 'x'.repeat(1025) }, create)).toEqual(['PhysicalResourceId is missing or longer than 1 KB']);
});

it('flags an answer over 4 KB and one that is not JSON', () => {
  expect(problems({ ...good, Data: { Big: 'x'.repeat(MAX_RESPONSE_BYTES) } })).toEqual([expect.stringMatching(/^response is \d+ bytes; CloudFormation accepts at most 4096$/)]);
  expect(contractProblems(event, '<Error/>')).toEqual(['response is not JSON']);
});
