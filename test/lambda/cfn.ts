import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { asCloudFormationSends } from '../../local/driver';
import { makeHandler, Outbound } from '../../lambda/framework';
import { outbound } from '../../lambda/index';
import { DescribeResource, issuedAt } from '../../lambda/ownership';

/** The `X-Amz-Date` form of a moment: CloudFormation's presigned URLs carry when the request was issued. */
export const amzDate = (at: number) => new Date(Math.floor(at / 1000) * 1000).toISOString().replace(/[-:]|\.\d{3}/g, '');

/** A presigned response URL of a request issued at `issuedAt`, as CloudFormation sends it. */
export const responseUrl = (issuedAt = Date.now()) =>
  'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack/Telephony/guid%7CGroup%7Crequest-1' +
  `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${amzDate(issuedAt)}&X-Amz-SignedHeaders=host&X-Amz-Expires=7200&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${'a'.repeat(64)}`;

const common = () => ({
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ResponseURL: responseUrl(),
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Telephony/guid',
  RequestId: 'request-1',
  LogicalResourceId: 'Group',
  ResourceType: 'Custom::VoiceConnectorGroup',
});
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:provider';

export function createEvent(props: object): CloudFormationCustomResourceEvent {
  return { ...common(), RequestType: 'Create', ResourceProperties: asCloudFormationSends({ ServiceToken: SERVICE_TOKEN, ...props }) } as CloudFormationCustomResourceEvent;
}
export function updateEvent(id: string, props: object, oldProps: object): CloudFormationCustomResourceEvent {
  return {
    ...common(),
    RequestType: 'Update',
    PhysicalResourceId: id,
    ResourceProperties: asCloudFormationSends({ ServiceToken: SERVICE_TOKEN, ...props }),
    OldResourceProperties: asCloudFormationSends({ ServiceToken: SERVICE_TOKEN, ...oldProps }),
  } as CloudFormationCustomResourceEvent;
}
export function deleteEvent(id: string, props: object): CloudFormationCustomResourceEvent {
  return { ...common(), RequestType: 'Delete', PhysicalResourceId: id, ResourceProperties: asCloudFormationSends({ ServiceToken: SERVICE_TOKEN, ...props }) } as CloudFormationCustomResourceEvent;
}

export interface CfnResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  Data?: Record<string, string>;
  RequestId: string;
  StackId: string;
  LogicalResourceId: string;
  /** The UTF-8 bytes of the body as sent; CloudFormation refuses more than 4,096. */
  bytes: number;
}

/**
 * CloudFormation's record of the event's resource: *_IN_PROGRESS since just before the event, until
 * the answer arrives, then *_COMPLETE or *_FAILED with the physical ID answered.
 */
function recordOf(event: { RequestType?: unknown; PhysicalResourceId?: unknown; ResponseURL?: unknown }, answered: () => { Status: string; PhysicalResourceId: string } | undefined): DescribeResource {
  const type = String(event.RequestType).toUpperCase();
  // CloudFormation moved the resource to *_IN_PROGRESS just before it issued the request.
  const since = new Date((issuedAt(event.ResponseURL) ?? Date.now()) - 200);
  return async () => {
    const a = answered();
    if (!a) return { status: `${type}_IN_PROGRESS`, physicalId: typeof event.PhysicalResourceId === 'string' ? event.PhysicalResourceId : undefined, lastUpdated: since };
    return { status: `${type}_${a.Status === 'SUCCESS' ? 'COMPLETE' : 'FAILED'}`, physicalId: a.PhysicalResourceId, lastUpdated: new Date() };
  };
}

/** NotFound stands after this long here, instead of a minute, so tests of a group that is gone stay quick. */
export const TEST_READ_LAG_WINDOW_MS = 300;

/**
 * Runs an event through the handler with the asset's own SDK clients (mocked by the test) and
 * returns the response it PUT to the event's ResponseURL. CloudFormation's record says it waits
 * for this event, unless the test gives its own `describe`.
 */
export async function respondTo(event: unknown, context: object = {}, describe?: DescribeResource, readLagWindowMs = TEST_READ_LAG_WINDOW_MS): Promise<CfnResponse> {
  let body: string | undefined;
  const handler = makeHandler({
    ...outbound,
    describeResource: () => describe ?? recordOf((event ?? {}) as object, () => (body === undefined ? undefined : JSON.parse(body))),
    put: async (_url, text) => {
      body = text;
    },
  } satisfies Outbound, { readLagWindowMs });
  await handler(event as CloudFormationCustomResourceEvent, context);
  if (body === undefined) throw new Error('the handler sent no response');
  return { ...JSON.parse(body), bytes: Buffer.byteLength(body) };
}
