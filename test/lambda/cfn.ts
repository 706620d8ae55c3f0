import * as path from 'path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { asCloudFormationSends } from '../../local/driver';

const common = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Telephony/guid',
  RequestId: 'request-1',
  LogicalResourceId: 'Group',
  ResourceType: 'Custom::VoiceConnectorGroup',
};

export function createEvent(props: object): CloudFormationCustomResourceEvent {
  return { ...common, RequestType: 'Create', ResourceProperties: asCloudFormationSends({ ServiceToken: common.ServiceToken, ...props }) } as CloudFormationCustomResourceEvent;
}
export function updateEvent(id: string, props: object, oldProps: object): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: id,
    ResourceProperties: asCloudFormationSends({ ServiceToken: common.ServiceToken, ...props }),
    OldResourceProperties: asCloudFormationSends({ ServiceToken: common.ServiceToken, ...oldProps }),
  } as CloudFormationCustomResourceEvent;
}
export function deleteEvent(id: string, props: object): CloudFormationCustomResourceEvent {
  return { ...common, RequestType: 'Delete', PhysicalResourceId: id, ResourceProperties: asCloudFormationSends({ ServiceToken: common.ServiceToken, ...props }) } as CloudFormationCustomResourceEvent;
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

const entrypointPath = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resource-handlers/dist/core/nodejs-entrypoint-handler/index.js');

/**
 * Runs an event through aws-cdk-lib's own provider entrypoint (the code deployed beside the
 * handler) and returns the response it would PUT to CloudFormation's ResponseURL.
 */
export async function respondTo(event: unknown, context: object = {}, handlerModule = 'index'): Promise<CfnResponse> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entrypoint = require(entrypointPath);
  let body: string | undefined;
  entrypoint.external.userHandlerIndex = path.resolve(__dirname, '../../lambda', handlerModule);
  entrypoint.external.log = () => undefined;
  entrypoint.external.sendHttpRequest = async (_options: unknown, requestBody: string) => {
    body = requestBody;
  };
  await entrypoint.handler(event, context);
  if (body === undefined) throw new Error('the entrypoint sent no response');
  return { ...JSON.parse(body), bytes: Buffer.byteLength(body) };
}
