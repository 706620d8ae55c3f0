/**
 * Facts about the voice connector group API, shared by the construct (checked at synth time)
 * and the handler (checked again at deploy time, when tokens have resolved).
 * No CDK or AWS SDK imports: the handler bundle includes this file.
 */

/** The API namespace that manages the group. Both speak the same wire protocol. */
export enum ApiNamespace {
  /** Amazon Chime SDK Voice: regional endpoints, supported by AWS. */
  CHIME_SDK_VOICE = 'ChimeSDKVoice',
  /** The legacy Amazon Chime namespace: us-east-1 only, no longer supported by AWS. */
  CHIME = 'Chime',
}

/** How calls are spread across the group's voice connectors (Amazon Chime SDK Voice only). */
export enum CallDistribution {
  /** Calls are spread evenly over the voice connectors. */
  LOAD_BALANCED = 'LoadBalancedDistribution',
  /** Calls go to the voice connector with the lowest priority number first. */
  PRIORITY_WEIGHTED = 'PriorityWeightedDistribution',
}

/** Limits from the AWS API reference for CreateVoiceConnectorGroup / UpdateVoiceConnectorGroup. */
export const LIMITS = {
  /** Shortest group name. */
  nameMinLength: 1,
  /** Longest group name. */
  nameMaxLength: 256,
  /**
   * Most voice connectors in one group, unless the account's quota is raised: the default of
   * `DEFAULT_QUOTAS.voiceConnectorsPerGroup`, kept here for code that read it as a limit.
   */
  maxItems: 3,
  /** Lowest priority number: tried first. */
  priorityMin: 1,
  /** Highest priority number: tried last. */
  priorityMax: 99,
  /**
   * Most phone numbers on one group. The API reference states no maximum: this is an assumption of
   * this project, which the local endpoint enforces too.
   */
  phoneNumbersPerGroup: 1_000,
  /**
   * Most phone numbers in one AssociatePhoneNumbersWithVoiceConnectorGroup or
   * DisassociatePhoneNumbersFromVoiceConnectorGroup request; longer lists are sent in batches. The
   * API reference states no maximum: an assumption, as above.
   */
  phoneNumbersPerRequest: 50,
} as const;

/**
 * Service quotas, unlike LIMITS adjustable per account: AWS General Reference, "Amazon Chime SDK
 * endpoints and quotas", table "SIP trunking and voice quotas". The construct and the handler check
 * a group's connectors against the connectors-per-group quota the user states, by default this one.
 */
export const DEFAULT_QUOTAS = {
  /** "Voice Connectors per Voice Connector group: 3, adjustable". */
  voiceConnectorsPerGroup: LIMITS.maxItems,
  /**
   * "Voice Connector groups: 3 per account, adjustable". Not checked: only the account knows how
   * many groups it has; a Create past it fails with ResourceLimitExceededException.
   */
  voiceConnectorGroupsPerAccount: 3,
} as const;

/** A phone number in E.164 form, as the inventory holds it. */
export const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

/** The Amazon Chime SDK Voice reference restricts group names to these characters. */
export const SDK_VOICE_NAME_PATTERN = /^[a-zA-Z0-9 _.-]+$/;

/** The legacy namespace has a single endpoint, whatever Region the stack is in. */
export const LEGACY_REGION = 'us-east-1';

export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The Regions where Amazon Chime SDK Voice has voice connectors (and so its API endpoints): the API's
 * `VoiceConnectorAwsRegion` enum, as `@aws-sdk/client-chime-sdk-voice` has it; a test checks that
 * the two agree. AWS adds Regions, so a Region outside the list is a warning, never an error.
 */
export const VOICE_CONNECTOR_REGIONS: readonly string[] = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'us-east-1',
  'us-west-2',
];

/**
 * A warning for a Region where Amazon Chime SDK Voice has no voice connectors, naming `property`;
 * undefined for a Region in the list. The caller skips values that are not known yet.
 */
export function regionWarning(property: string, region: string): string | undefined {
  if (VOICE_CONNECTOR_REGIONS.includes(region)) return undefined;
  return (
    `${property}: '${region}' is not a Region where Amazon Chime SDK Voice has voice connectors (${VOICE_CONNECTOR_REGIONS.join(', ')}); ` +
    'use one of them, or ignore this warning if AWS has added the Region since'
  );
}

/** The CloudFormation type of the custom resource. */
export const RESOURCE_TYPE = 'Custom::VoiceConnectorGroup';

/**
 * The key of the custom resource's `Metadata` entry that holds, by their path in the properties
 * (`voiceConnectorItems.0.voiceConnectorId`), the declared values known only at deploy time
 * (references, parameters, imports). CloudFormation resolves intrinsic functions in `Metadata` as
 * in properties and `DescribeStackResource` returns the result, so the drift command reads what a
 * group declares, as CloudFormation resolved it, without a resolver of its own; values known at
 * synth time are in the template and cost no Metadata.
 */
export const RESOLVED_METADATA_KEY = 'cdk-chime-voice-connector-group:resolved';

/**
 * A physical resource ID that can be a group ID. Anything else (for example the marker
 * CDK's provider framework writes when a Create fails) names no group, so Delete makes no call.
 */
export const GROUP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;

/** What's wrong with a value given as a group ID, naming `property`; undefined for a group ID. */
export function groupIdProblem(property: string, value: unknown): string | undefined {
  if (typeof value === 'string' && GROUP_ID_PATTERN.test(value)) return undefined;
  return (
    `${property}: ${show(value)} is not a voice connector group ID, which is up to 128 letters, digits and '-', starting with a letter or digit, ` +
    "for example 'a6c3582e-ac81-40e1-9c6c-0a7ee79fb842'"
  );
}

/**
 * The IAM actions the handler calls. Both namespaces authorize under the `chime` prefix,
 * and voice connector groups have no IAM resource type, so these cannot be scoped below `*`.
 * The two list actions only read: ListVoiceConnectorGroups finds a group an earlier delivery of the
 * same Create made, ListPhoneNumbers checks that nothing would make a Delete fail before it starts.
 */
export const HANDLER_ACTIONS = [
  'chime:CreateVoiceConnectorGroup',
  'chime:UpdateVoiceConnectorGroup',
  'chime:GetVoiceConnectorGroup',
  'chime:DeleteVoiceConnectorGroup',
  'chime:ListVoiceConnectorGroups',
  'chime:ListPhoneNumbers',
] as const;

/**
 * The CloudFormation action the handler calls, on its own stack only: it reads the record of the
 * resource an event is for, to recognise a delivery that comes after its request was answered.
 */
export const STACK_READ_ACTIONS = ['cloudformation:DescribeStackResource'] as const;

/**
 * The IAM actions for phone numbers, granted only in stacks where some group declares
 * `phoneNumbers` (an empty list included, so that removing a group's last numbers can still
 * disassociate them: CloudFormation updates the policy before the resource).
 */
export const PHONE_NUMBER_ACTIONS = ['chime:AssociatePhoneNumbersWithVoiceConnectorGroup', 'chime:DisassociatePhoneNumbersFromVoiceConnectorGroup'] as const;

/**
 * The actions the drift command (`npx cdk-chime-voice-connector-group drift`) calls, all reads: the
 * stack, its resources and template, each group's Metadata as CloudFormation resolved it, and the
 * group and its numbers. The README's policy for the command is tested against this list.
 */
export const DRIFT_READ_ACTIONS = [
  'cloudformation:DescribeStacks',
  'cloudformation:ListStackResources',
  'cloudformation:DescribeStackResource',
  'cloudformation:GetTemplate',
  'chime:GetVoiceConnectorGroup',
  'chime:ListPhoneNumbers',
] as const;

/**
 * What `drift --revert` calls besides the reads: the handler's update of a group and the association
 * of declared numbers, and the disassociation that undoes an association when a later step fails.
 */
export const DRIFT_REVERT_ACTIONS = [
  'chime:UpdateVoiceConnectorGroup',
  'chime:AssociatePhoneNumbersWithVoiceConnectorGroup',
  'chime:DisassociatePhoneNumbersFromVoiceConnectorGroup',
] as const;

export interface ItemSpec {
  readonly voiceConnectorId: string;
  readonly priority: number;
}

/**
 * The custom resource's properties: the construct writes them, the handler reads them.
 * Keys are the construct's prop names; the handler maps them to the API's names in one place.
 */
export interface GroupSpec {
  readonly apiNamespace: ApiNamespace;
  /** Always set for ChimeSDKVoice (the construct fills in the stack's Region); never for Chime. */
  readonly apiRegion?: string;
  /** Undefined only for an adopted group that keeps its own name. */
  readonly voiceConnectorGroupName?: string;
  /** Undefined only for an adopted group that keeps its own voice connectors. */
  readonly voiceConnectorItems?: readonly ItemSpec[];
  /** The existing group this resource adopts instead of creating one. */
  readonly adoptVoiceConnectorGroupId?: string;
  readonly callDistribution?: CallDistribution;
  /** Phone numbers the group routes; undefined means the resource leaves numbers alone. */
  readonly phoneNumbers?: readonly string[];
  /** Whether numbers associated elsewhere are moved to this group. */
  readonly forceAssociate?: boolean;
  /** The account's quota of voice connectors per group; undefined means the default quota. */
  readonly voiceConnectorsPerGroupQuota?: number;
}

/** Says whether a value is not known yet (a CDK token). The handler sees only resolved values. */
export type IsUnresolved = (value: unknown) => boolean;

const show = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : String(value));

/**
 * How messages name what they are about. The handler sees resolved values and quotes them; the
 * construct names a value that is a token by what it refers to, since a token's text means
 * nothing to the reader.
 */
export interface Naming {
  /** How a message shows a value. */
  readonly value: (value: unknown) => string;
  /** The property that names item `index`'s voice connector. */
  readonly connectorProperty: (index: number) => string;
}

/** The naming the handler uses: values quoted, connectors by `voiceConnectorId`. */
export const QUOTED: Naming = { value: show, connectorProperty: (i) => `voiceConnectorItems[${i}].voiceConnectorId` };

/**
 * Every rule the API applies to a group's properties. Returns one message per broken rule, each
 * naming the property, the value given and what is allowed; an empty list means valid.
 */
export function validateGroupSpec(spec: GroupSpec, isUnresolved: IsUnresolved = () => false, naming: Naming = QUOTED): string[] {
  const problems: string[] = [];
  const legacy = spec.apiNamespace === ApiNamespace.CHIME;
  const known = (value: unknown) => value !== undefined && !isUnresolved(value);

  problems.push(...validateLocation(spec.apiNamespace, spec.apiRegion, 'apiRegion', isUnresolved, naming));
  const adopted = spec.adoptVoiceConnectorGroupId;
  if (adopted !== undefined && !isUnresolved(adopted)) {
    const problem = groupIdProblem('adoptVoiceConnectorGroupId', adopted);
    if (problem) problems.push(`${problem}; give the ID of the group to adopt, as ListVoiceConnectorGroups or the Amazon Chime SDK console shows it`);
  }

  const name = spec.voiceConnectorGroupName;
  if (name !== undefined && known(name)) {
    if (name.length < LIMITS.nameMinLength || name.length > LIMITS.nameMaxLength) {
      problems.push(`voiceConnectorGroupName: ${name.length} characters given; the name must have ${LIMITS.nameMinLength} to ${LIMITS.nameMaxLength}`);
    } else if (!legacy && !SDK_VOICE_NAME_PATTERN.test(name)) {
      problems.push(`voiceConnectorGroupName: ${show(name)} has characters Amazon Chime SDK Voice refuses; use only letters, digits, spaces, '_', '.' and '-'`);
    }
  }


  if (legacy && spec.callDistribution !== undefined) {
    problems.push('callDistribution: only Amazon Chime SDK Voice supports call distribution; remove it or use ApiNamespace.CHIME_SDK_VOICE');
  } else if (known(spec.callDistribution) && !Object.values(CallDistribution).includes(spec.callDistribution!)) {
    problems.push(`callDistribution: ${show(spec.callDistribution)} is not one of ${Object.values(CallDistribution).join(', ')}`);
  }

  const quota = spec.voiceConnectorsPerGroupQuota;
  if (known(quota) && (!Number.isInteger(quota) || quota! < 1)) {
    problems.push(`voiceConnectorsPerGroupQuota: ${show(quota)} is not a quota; give the account's quota of voice connectors per group, a whole number of at least 1`);
  }
  // A quota not known yet checks nothing; a quota that is not one leaves the default in force.
  const stated = known(quota) && Number.isInteger(quota) && quota! >= 1;
  const maxItems = isUnresolved(quota) ? undefined : stated ? quota! : DEFAULT_QUOTAS.voiceConnectorsPerGroup;
  problems.push(...validateItems(spec.voiceConnectorItems, isUnresolved, naming, maxItems, stated));
  problems.push(...validatePhoneNumbers(spec.phoneNumbers, isUnresolved));
  return problems;
}

/** `maxItems` is the quota of connectors per group, `stated` whether the user gave it; undefined when it is not known yet. */
function validateItems(items: readonly ItemSpec[] | undefined, isUnresolved: IsUnresolved, naming: Naming, maxItems: number | undefined, stated: boolean): string[] {
  const problems: string[] = [];
  if (items === undefined || isUnresolved(items)) return problems;
  if (maxItems !== undefined && items.length > maxItems) {
    const quota = stated ? 'the quota voiceConnectorsPerGroupQuota states' : "the default quota of voice connectors per group";
    problems.push(
      `voiceConnectorItems: ${items.length} items given; a group holds at most ${maxItems}, ${quota}; ` +
        'remove items, or ask AWS for a higher quota of voice connectors per group and state it in voiceConnectorsPerGroupQuota',
    );
  }
  // Equal strings are equal IDs even when they are tokens: the same token always resolves the same way.
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const where = `voiceConnectorItems[${i}]`;
    if (!isUnresolved(item.voiceConnectorId) && (typeof item.voiceConnectorId !== 'string' || item.voiceConnectorId.trim() === '')) {
      problems.push(`${naming.connectorProperty(i)}: ${show(item.voiceConnectorId)} is not a voice connector ID`);
    }
    if (seen.has(item.voiceConnectorId)) {
      problems.push(`${naming.connectorProperty(i)}: ${naming.value(item.voiceConnectorId)} is already in the group; each voice connector may appear once`);
    }
    seen.add(item.voiceConnectorId);
    const p = item.priority;
    if (!isUnresolved(p) && (!Number.isInteger(p) || p < LIMITS.priorityMin || p > LIMITS.priorityMax)) {
      problems.push(`${where}.priority: ${show(p)} is not allowed; use a whole number from ${LIMITS.priorityMin} to ${LIMITS.priorityMax}`);
    }
  });
  return problems;
}

/**
 * The rules for where a group lives: a known namespace, and a Region only with Amazon Chime SDK
 * Voice, in the form of a Region name. `regionProperty` names the Region in the messages.
 */
export function validateLocation(
  apiNamespace: ApiNamespace,
  region: string | undefined,
  regionProperty: string,
  isUnresolved: IsUnresolved = () => false,
  naming: Naming = QUOTED,
): string[] {
  const problems: string[] = [];
  if (!Object.values(ApiNamespace).includes(apiNamespace)) {
    problems.push(`apiNamespace: ${naming.value(apiNamespace)} is not a namespace; use one of ${Object.values(ApiNamespace).join(', ')}`);
  }
  if (apiNamespace === ApiNamespace.CHIME && region !== undefined) {
    problems.push(
      `${regionProperty}: ${naming.value(region)} cannot be set with ApiNamespace.CHIME, whose only endpoint is in ${LEGACY_REGION}; remove ${regionProperty} or use ApiNamespace.CHIME_SDK_VOICE`,
    );
  } else if (region !== undefined && !isUnresolved(region) && !REGION_PATTERN.test(region)) {
    problems.push(`${regionProperty}: ${show(region)} is not an AWS Region name such as 'us-east-1'`);
  }
  return problems;
}

/** The rules for a group's phone numbers: E.164, each once, at most LIMITS.phoneNumbersPerGroup. */
export function validatePhoneNumbers(numbers: readonly string[] | undefined, isUnresolved: IsUnresolved = () => false): string[] {
  if (numbers === undefined || isUnresolved(numbers)) return [];
  const problems: string[] = [];
  if (numbers.length > LIMITS.phoneNumbersPerGroup) {
    problems.push(`phoneNumbers: ${numbers.length} numbers given; a group holds at most ${LIMITS.phoneNumbersPerGroup}`);
  }
  const seen = new Set<string>();
  numbers.forEach((n, i) => {
    if (isUnresolved(n)) return;
    if (typeof n !== 'string' || !E164_PATTERN.test(n)) {
      problems.push(`phoneNumbers[${i}]: ${show(n)} is not an E.164 phone number such as '+12065550100'`);
    } else if (seen.has(n)) {
      problems.push(`phoneNumbers[${i}]: ${show(n)} is already in the list; each number may appear once`);
    }
    seen.add(n);
  });
  return problems;
}
