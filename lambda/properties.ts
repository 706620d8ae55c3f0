import { ApiNamespace, CallDistribution, GroupSpec, ItemSpec, LEGACY_REGION, REGION_PATTERN, validateGroupSpec } from '../lib/rules';
import { GroupError } from './errors';

/** Properties as an object to read from, whatever arrived. */
const asObject = (raw: unknown) => (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;

const MAX_SHOWN = 60;
const show = (v: unknown): string => {
  const text = typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length} characters)` : text;
};

/**
 * CloudFormation passes every scalar in a custom resource's properties as a string ("1", not 1),
 * so numbers are parsed here; only plain decimal integers are accepted.
 */
function toInteger(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return undefined;
}

function asString(v: unknown, where: string, problems: string[], required: boolean): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) problems.push(`${where}: missing; it is required`);
    return undefined;
  }
  if (typeof v !== 'string') {
    problems.push(`${where}: ${show(v)} is not a string`);
    return undefined;
  }
  return v;
}

function parseItems(raw: unknown, problems: string[]): ItemSpec[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (!Array.isArray(raw)) {
    problems.push(`voiceConnectorItems: ${show(raw)} is not a list`);
    return [];
  }
  return raw.map((item, i) => {
    const where = `voiceConnectorItems[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${where}: ${show(item)} is not an object with voiceConnectorId and priority`);
      return { voiceConnectorId: '', priority: 0 };
    }
    const { voiceConnectorId, priority } = item as Record<string, unknown>;
    const id = asString(voiceConnectorId, `${where}.voiceConnectorId`, problems, true) ?? '';
    const p = toInteger(priority);
    if (p === undefined) {
      problems.push(`${where}.priority: ${show(priority)} is not a whole number from 1 to 99`);
    }
    return { voiceConnectorId: id, priority: p ?? 1 };
  });
}

function parseNumbers(raw: unknown, problems: string[]): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    problems.push(`phoneNumbers: ${show(raw)} is not a list`);
    return undefined;
  }
  return raw.map((n) => (typeof n === 'string' ? n : JSON.stringify(n) ?? String(n)));
}

/** CloudFormation sends booleans as "true" and "false". */
function parseBoolean(raw: unknown, where: string, problems: string[]): boolean | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  problems.push(`${where}: ${show(raw)} is not true or false`);
  return undefined;
}

/** A quota the user stated, sent as a string; absent leaves the default quota in force. */
function parseQuota(raw: unknown, problems: string[]): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = toInteger(raw);
  if (n === undefined) problems.push(`voiceConnectorsPerGroupQuota: ${show(raw)} is not a whole number`);
  return n;
}

/** The phone numbers the properties declare, read leniently: a Delete never fails on them. */
export function declaredNumbers(raw: unknown): string[] {
  const props = asObject(raw);
  return Array.isArray(props.phoneNumbers) ? props.phoneNumbers.filter((n): n is string => typeof n === 'string') : [];
}

/** Whether the properties declare phone numbers at all (an empty list included). */
export const declaresNumbers = (raw: unknown): boolean => Array.isArray(asObject(raw).phoneNumbers);

/**
 * Reads the resource properties of an event into a GroupSpec and applies the same rules the
 * construct applies at synth time. Throws one GroupError listing every problem found.
 */
export function parseGroupSpec(raw: unknown, label: string): GroupSpec {
  const problems: string[] = [];
  const props = asObject(raw);
  if (typeof raw !== 'object' || raw === null) problems.push('ResourceProperties: missing or not an object');

  const apiNamespace = asString(props.apiNamespace, 'apiNamespace', problems, true) as ApiNamespace | undefined;
  const adopt = asString(props.adoptVoiceConnectorGroupId, 'adoptVoiceConnectorGroupId', problems, false);
  // An adopted group keeps what the properties leave out; a group this resource makes needs a name.
  const adopting = props.adoptVoiceConnectorGroupId !== undefined && props.adoptVoiceConnectorGroupId !== null && props.adoptVoiceConnectorGroupId !== '';
  const name = asString(props.voiceConnectorGroupName, 'voiceConnectorGroupName', problems, !adopting);
  const spec: GroupSpec = {
    apiNamespace: apiNamespace ?? ApiNamespace.CHIME_SDK_VOICE,
    apiRegion: asString(props.apiRegion, 'apiRegion', problems, false),
    voiceConnectorGroupName: adopting ? name : name ?? '',
    voiceConnectorItems: adopting && (props.voiceConnectorItems === undefined || props.voiceConnectorItems === null) ? undefined : parseItems(props.voiceConnectorItems, problems),
    adoptVoiceConnectorGroupId: adopt,
    callDistribution: asString(props.callDistribution, 'callDistribution', problems, false) as CallDistribution | undefined,
    phoneNumbers: parseNumbers(props.phoneNumbers, problems),
    forceAssociate: parseBoolean(props.forceAssociate, 'forceAssociate', problems),
    voiceConnectorsPerGroupQuota: parseQuota(props.voiceConnectorsPerGroupQuota, problems),
  };
  // Rules on a property that could not even be read would only repeat its problem.
  const unreadable = new Set(problems.map((p) => p.split(':')[0]));
  problems.push(...validateGroupSpec(spec).filter((p) => !unreadable.has(p.split(':')[0])));
  if (problems.length > 0) {
    throw new GroupError(`Invalid properties for ${label}: ${problems.join('; ')}`);
  }
  return spec;
}

/** Where a group lives: the API namespace and the Region whose endpoint manages it. */
export interface Location {
  readonly namespace: ApiNamespace;
  readonly region: string;
}

/** The namespace the properties name, if it is one this handler knows. */
export function storedNamespace(raw: unknown): ApiNamespace | undefined {
  const namespace = asObject(raw).apiNamespace as ApiNamespace;
  return Object.values(ApiNamespace).includes(namespace) ? namespace : undefined;
}

/**
 * Where the properties say the group lives, read leniently: a Delete and the old side of an Update
 * must work from stored properties that today's rules might refuse (an older template, a tightened
 * rule). A missing or unreadable namespace is the default one; a missing or unreadable Region is
 * the function's own, which is where the construct put the group when it left `apiRegion` out.
 */
export function locate(raw: unknown, functionRegion: string | undefined): Location | undefined {
  const props = asObject(raw);
  const namespace = storedNamespace(props) ?? ApiNamespace.CHIME_SDK_VOICE;
  if (namespace === ApiNamespace.CHIME) return { namespace, region: LEGACY_REGION };
  const region = typeof props.apiRegion === 'string' && REGION_PATTERN.test(props.apiRegion) ? props.apiRegion : functionRegion;
  return region ? { namespace, region } : undefined;
}

export const sameLocation = (a: Location, b: Location): boolean => a.namespace === b.namespace && a.region === b.region;

/**
 * Where a Delete looks for the group: where the properties say, or, when they name no namespace
 * this handler knows, in each namespace in turn, so that no group is left behind unseen. A stored
 * apiRegion that is no Region name (only a hand-written or older template can hold one) is also
 * tried as its lower-case form; `unreadable` names it, so that not finding the group is not success.
 */
export function whereToLook(raw: unknown, functionRegion: string | undefined): { places: Location[]; unreadable?: string } {
  const props = asObject(raw);
  const stored = props.apiRegion;
  const readable = stored === undefined || stored === null || stored === '' || (typeof stored === 'string' && REGION_PATTERN.test(stored));
  const unreadable = !readable && storedNamespace(props) !== ApiNamespace.CHIME ? (typeof stored === 'string' ? stored : JSON.stringify(stored) ?? String(stored)) : undefined;
  const guess = typeof stored === 'string' ? stored.trim().toLowerCase() : undefined;
  const regions = [...new Set([guess && REGION_PATTERN.test(guess) ? guess : undefined, unreadable ? functionRegion : undefined].filter((r): r is string => !!r))];
  const namespaces = storedNamespace(props) ? [storedNamespace(props)!] : Object.values(ApiNamespace);
  const places = namespaces.flatMap((namespace) => {
    if (namespace === ApiNamespace.CHIME || !unreadable) return locate({ ...props, apiNamespace: namespace }, functionRegion) ?? [];
    return regions.map((region) => ({ namespace, region }));
  });
  const seen = new Set<string>();
  return { places: places.filter((p) => !seen.has(`${p.namespace} ${p.region}`) && !!seen.add(`${p.namespace} ${p.region}`)), unreadable };
}

/** The properties an adopted group may leave out, to keep what the live group has. */
export const LEFT_TO_THE_GROUP = ['voiceConnectorGroupName', 'voiceConnectorItems', 'callDistribution'] as const;

/**
 * The group stored properties adopt, read leniently, and which of LEFT_TO_THE_GROUP they leave out;
 * undefined when they adopt none.
 */
export function storedAdoption(raw: unknown): { readonly id: string; readonly leftOut: (typeof LEFT_TO_THE_GROUP)[number][] } | undefined {
  const props = asObject(raw);
  const id = props.adoptVoiceConnectorGroupId;
  if (typeof id !== 'string' || id === '') return undefined;
  return { id, leftOut: LEFT_TO_THE_GROUP.filter((key) => props[key] === undefined || props[key] === null) };
}
