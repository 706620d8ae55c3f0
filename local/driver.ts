/**
 * The local CloudFormation, for tests and `npm run local`. Its parts, each in `local/cloudformation/`:
 * - `stacks.ts`     the stack engine (`LocalCloudFormation`): deploy, update, rollback, cleanup, destroy
 * - `template.ts`   reading the cloud assembly: templates, intrinsic functions, dependency order
 * - `lambda.ts`     the Lambda service: execution environments, async delivery, retries, duplicates, timeouts
 * - `responses.ts`  the presigned response URL server and the custom resource contract each answer is checked against
 * - `api.ts`        CloudFormation's API (query protocol) over the stacks, for the handler's look-ups
 * - `iam.ts`        what a function's execution role may call, from its policies in the template
 * - `model.ts`      the records and state the others share
 */
export { LocalCloudFormation, SERVICE_TOKEN_REASON } from './cloudformation/stacks';
export { asCloudFormationSends } from './cloudformation/template';
export { LOCAL_CREDENTIALS } from './cloudformation/lambda';
export { API_FAULTS, CloudFormationApi } from './cloudformation/api';
export type { ApiAction, ApiFault, ApiRequest } from './cloudformation/api';
export { contractProblems, MAX_RESPONSE_BYTES, TOO_LONG_REASON } from './cloudformation/responses';
export type {
  AppResult,
  CurrentStackStatus,
  DeployResult,
  DriverOptions,
  DuplicateDeliveries,
  EventRecord,
  Phase,
  RequestType,
  ResourceRecord,
  ResourceStatus,
  ResourceFailure,
  SentEvent,
  StackEvent,
  StackProgress,
  StackStatus,
} from './cloudformation/model';
