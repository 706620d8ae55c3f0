/**
 * The local Chime endpoint's public names, kept here so every existing import keeps compiling.
 * The endpoint itself lives in local/chime/, split as service models usually are (moto):
 * - chime/server.ts: routing, the SigV4 scope check, fault injection, latency, the request log;
 * - chime/responses.ts: each operation's input read, checked and answered;
 * - chime/models.ts: the account's state per namespace and Region, the quota, the read-after-create lag;
 * - chime/rules.ts: the API's own rules, each citing the API reference;
 * - chime/hooks.ts: `ChimeEndpoint`, what tests hold to seed and inspect state and to inject faults.
 */
export { ChimeEndpoint } from './chime/hooks';
export type { EndpointOptions } from './chime/hooks';
export type { Connector, Group, Item, PhoneNumber, PhoneNumberAssociation, PhoneNumberErrorCode, PhoneNumberProductType } from './chime/models';
export type { Operation } from './chime/responses';
export { DEFAULT_GROUP_QUOTA, MAX_PHONE_NUMBERS_PER_GROUP, MAX_PHONE_NUMBERS_PER_REQUEST } from './chime/rules';
export type { ErrorCode, Namespace } from './chime/rules';
export { GROUP_OPERATIONS, seeded } from './chime/server';
export type { LoggedRequest } from './chime/server';
