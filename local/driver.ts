/**
 * The local CloudFormation, for tests and `npm run local`. Its parts, each in `local/cloudformation/`:
 * - `stacks.ts`     the stack engine (`LocalCloudFormation`): deploy, update, rollback, cleanup, destroy
 * - `template.ts`   reading the cloud assembly: templates, intrinsic functions, dependency order
 * - `lambda.ts`     the Lambda service: execution environments, async delivery, retries, duplicates, timeouts
 * - `responses.ts`  the response URL server and the custom resource contract each answer is checked against
 * - `model.ts`      the records and state the others share
 */
export { LocalCloudFormation, SERVICE_TOKEN_REASON } from './cloudformation/stacks';
export { asCloudFormationSends } from './cloudformation/template';
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
