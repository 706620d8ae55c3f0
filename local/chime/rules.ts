import { LIMITS } from '../../lib/rules';

/**
 * The Chime voice API's own rules, as the local endpoint enforces them. Each fact is the endpoint's
 * own copy, with its source: the product's rules (lib/rules.ts) are what the construct and handler
 * believe, and a wrong rule shared by both sides would pass in both. Only the two phone-number
 * limits below come from lib/rules.ts, because they are this project's assumptions, not AWS facts.
 *
 * References: Amazon Chime SDK API Reference (chime-sdk-voice-2022-08-03) and the legacy Amazon
 * Chime API Reference (chime-2018-05-01), pages CreateVoiceConnectorGroup, UpdateVoiceConnectorGroup,
 * VoiceConnectorItem, ListVoiceConnectorGroups, ListPhoneNumbers,
 * AssociatePhoneNumbersWithVoiceConnectorGroup; AWS General Reference, "Amazon Chime SDK endpoints
 * and quotas". No AWS SDK or CDK imports.
 */

export type Namespace = 'chime' | 'chime-sdk-voice';

/** AWS error codes and their HTTP statuses, as the API reference lists them ("Errors" of each action). */
export const ERROR_STATUS = {
  BadRequest: 400,
  ResourceLimitExceeded: 400,
  UnauthorizedClient: 401,
  AccessDenied: 403,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  ThrottledClient: 429,
  ServiceFailure: 500,
  ServiceUnavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** An answer the API's rules decided; the server sends it as `<code>Exception` with its status. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * CreateVoiceConnectorGroup / UpdateVoiceConnectorGroup, Name: "Length Constraints: Minimum length
 * of 1. Maximum length of 256." in both namespaces.
 */
export const NAME_MIN_LENGTH = 1;
export const NAME_MAX_LENGTH = 256;

/**
 * CreateVoiceConnectorGroup / UpdateVoiceConnectorGroup in Amazon Chime SDK Voice, Name:
 * "Pattern: [a-zA-Z0-9 _.-]+". The legacy Amazon Chime reference gives no pattern.
 */
export const SDK_VOICE_NAME_PATTERN = /^[a-zA-Z0-9 _.-]+$/;

/**
 * VoiceConnectorItem: "Limit: 3 VoiceConnectorItems per Voice Connector group" (both namespaces;
 * also the quota "Voice Connectors per Voice Connector group: 3" in the General Reference).
 */
export const MAX_ITEMS = 3;

/** VoiceConnectorItem, Priority: "Valid Range: Minimum value of 1. Maximum value of 99." */
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX = 99;

/** VoiceConnectorItem, VoiceConnectorId: "Pattern: .*\S.*" */
export const VOICE_CONNECTOR_ID_PATTERN = /\S/;

/**
 * CallDistributionType: the values of the CallDistributionType enum in the Amazon Chime SDK Voice
 * service model (`@aws-sdk/client-chime-sdk-voice` 3.1142.0, models/enums). The legacy namespace's
 * model has no such member.
 */
export const CALL_DISTRIBUTION_TYPES = ['LoadBalancedDistribution', 'PriorityWeightedDistribution'] as const;

/** AssociatePhoneNumbersWithVoiceConnectorGroup, E164PhoneNumbers: "Pattern: ^\+?[1-9]\d{1,14}$" (the `+` is optional there). */
export const E164_REQUEST_PATTERN = /^\+?[1-9]\d{1,14}$/;

/** A number as the inventory holds it and ListPhoneNumbers answers it (E164PhoneNumber): E.164 with its `+`. */
export const E164_INVENTORY_PATTERN = /^\+[1-9]\d{1,14}$/;

/**
 * MaxResults of each list, per namespace ("Valid Range: Minimum value of 1. Maximum value of …"):
 * Amazon Chime SDK Voice allows 100 for ListVoiceConnectorGroups and ListPhoneNumbers, the legacy
 * Amazon Chime namespace 99.
 */
export const PAGE_SIZE: Record<'ListVoiceConnectorGroups' | 'ListPhoneNumbers', Record<Namespace, number>> = {
  ListVoiceConnectorGroups: { 'chime-sdk-voice': 100, chime: 99 },
  ListPhoneNumbers: { 'chime-sdk-voice': 100, chime: 99 },
};

/**
 * AWS General Reference, "Amazon Chime SDK endpoints and quotas": "Voice Connector groups: 3" per
 * account, adjustable on request. The endpoint counts every group of the account, in every Region
 * and both namespaces, which is at least as strict as any per-Region reading of the quota.
 */
export const DEFAULT_GROUP_QUOTA = 3;

/**
 * Assumptions of this project, not AWS facts: at most this many numbers in one Associate or
 * Disassociate request, and on one group. The API reference states no maximum for either
 * (AssociatePhoneNumbersWithVoiceConnectorGroup, E164PhoneNumbers: "Type: Array of strings", no
 * length constraint), so the endpoint takes the project's own limits from lib/rules.ts, where the
 * construct and the handler read them.
 */
export const MAX_PHONE_NUMBERS_PER_REQUEST: number = LIMITS.phoneNumbersPerRequest;
export const MAX_PHONE_NUMBERS_PER_GROUP: number = LIMITS.phoneNumbersPerGroup;

export interface Item {
  VoiceConnectorId: string;
  Priority: number;
}

/** What a Create or Update request sets on a group, once the rules have accepted it. */
export interface GroupFields {
  name: string;
  items: Item[];
  callDistribution?: string;
}

/**
 * The API's rules for the body of CreateVoiceConnectorGroup and UpdateVoiceConnectorGroup, checked
 * in the order a reader would list them; the first broken rule is the refusal (BadRequest).
 * Whether the named voice connectors exist is the model's question, not a rule of the request.
 * UpdateVoiceConnectorGroup, VoiceConnectorItems: "Required: Yes" (optional on Create).
 */
export function checkGroupFields(namespace: Namespace, body: Record<string, unknown>, operation: 'Create' | 'Update'): GroupFields {
  const name = body.Name;
  if (typeof name !== 'string') throw new ApiError('BadRequest', 'Name is required and must be a string');
  if (name.length < NAME_MIN_LENGTH || name.length > NAME_MAX_LENGTH) {
    throw new ApiError('BadRequest', `Name has ${name.length} characters; it must have ${NAME_MIN_LENGTH} to ${NAME_MAX_LENGTH}`);
  }
  if (namespace === 'chime-sdk-voice' && !SDK_VOICE_NAME_PATTERN.test(name)) {
    throw new ApiError('BadRequest', `Name ${JSON.stringify(name)} does not satisfy the pattern [a-zA-Z0-9 _.-]+`);
  }
  if (operation === 'Update' && body.VoiceConnectorItems === undefined) throw new ApiError('BadRequest', 'VoiceConnectorItems is required');
  const items = body.VoiceConnectorItems ?? [];
  if (!Array.isArray(items)) throw new ApiError('BadRequest', 'VoiceConnectorItems must be a list');
  if (items.length > MAX_ITEMS) {
    throw new ApiError('BadRequest', `VoiceConnectorItems has ${items.length} members; a group holds at most ${MAX_ITEMS}`);
  }
  for (const item of items as Partial<Item>[]) {
    if (typeof item?.VoiceConnectorId !== 'string' || !VOICE_CONNECTOR_ID_PATTERN.test(item.VoiceConnectorId)) {
      throw new ApiError('BadRequest', 'VoiceConnectorId is required and must not be blank');
    }
    if (!Number.isInteger(item.Priority) || item.Priority! < PRIORITY_MIN || item.Priority! > PRIORITY_MAX) {
      throw new ApiError('BadRequest', `Priority ${JSON.stringify(item.Priority)} is out of range; it must be from ${PRIORITY_MIN} to ${PRIORITY_MAX}`);
    }
  }
  const checked = (items as Item[]).map((i) => ({ VoiceConnectorId: i.VoiceConnectorId, Priority: i.Priority }));
  if (new Set(checked.map((i) => i.VoiceConnectorId)).size !== checked.length) {
    throw new ApiError('BadRequest', 'A voice connector may appear once in a group');
  }
  const callDistribution = body.CallDistributionType;
  if (callDistribution !== undefined) {
    // The legacy model has no such member; a real service would likely ignore it. Refusing is
    // stricter, on purpose: a handler that sends it there has a bug the tests should see.
    if (namespace === 'chime') throw new ApiError('BadRequest', 'CallDistributionType is not a member of the Amazon Chime request');
    if (!(CALL_DISTRIBUTION_TYPES as readonly unknown[]).includes(callDistribution)) {
      throw new ApiError('BadRequest', `CallDistributionType ${JSON.stringify(callDistribution)} is not one of ${CALL_DISTRIBUTION_TYPES.join(', ')}`);
    }
  }
  return { name, items: checked, ...(callDistribution !== undefined ? { callDistribution: callDistribution as string } : {}) };
}

/**
 * E164PhoneNumbers of an association request: the API's pattern for each member, the project's
 * limit on their count. A number given twice counts once; an empty list has nothing to do, so it is
 * refused (the reference marks the list "Required: Yes").
 */
export function checkPhoneNumberList(body: Record<string, unknown>): string[] {
  const list = body.E164PhoneNumbers;
  if (!Array.isArray(list) || list.length === 0) throw new ApiError('BadRequest', 'E164PhoneNumbers must be a non-empty list');
  const bad = list.find((n) => typeof n !== 'string' || !E164_REQUEST_PATTERN.test(n));
  if (bad !== undefined) throw new ApiError('BadRequest', `E164PhoneNumbers member ${JSON.stringify(bad)} does not satisfy ${E164_REQUEST_PATTERN.source}`);
  if (list.length > MAX_PHONE_NUMBERS_PER_REQUEST) {
    throw new ApiError('BadRequest', `E164PhoneNumbers has ${list.length} members; at most ${MAX_PHONE_NUMBERS_PER_REQUEST} are allowed in one request`);
  }
  return [...new Set(list as string[])];
}

/** One page of a list, as the API pages it: `max-results` from 1 to `limit`, an opaque `next-token`. */
export function page<T>(all: T[], query: URLSearchParams, limit: number): { items: T[]; NextToken?: string } {
  const max = Number(query.get('max-results') ?? limit);
  if (!Number.isInteger(max) || max < 1 || max > limit) throw new ApiError('BadRequest', `MaxResults must be from 1 to ${limit}`);
  const token = query.get('next-token');
  const start = token === null ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0 || start > all.length) throw new ApiError('BadRequest', `Invalid NextToken '${token}'`);
  const next = start + max < all.length ? String(start + max) : undefined;
  return { items: all.slice(start, start + max), NextToken: next };
}
