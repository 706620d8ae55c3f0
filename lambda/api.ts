import type { ApiNamespace, CallDistribution, GroupSpec, ItemSpec } from '../lib/rules';

/** A group as the API returns it, in the API's own (PascalCase) names. */
export interface WireGroup {
  VoiceConnectorGroupId?: string;
  VoiceConnectorGroupArn?: string;
  Name?: string;
  VoiceConnectorItems?: { VoiceConnectorId: string | undefined; Priority?: number }[];
  CallDistributionType?: string;
  CreatedTimestamp?: Date;
}

export interface WireGroupInput {
  Name: string;
  VoiceConnectorItems: { VoiceConnectorId: string; Priority: number }[];
  CallDistributionType?: `${CallDistribution}`;
}

/**
 * The operations the handler uses. Both namespaces serve them with the same wire protocol, so each
 * namespace module only has to bind them to its own SDK client.
 */
export interface GroupWire {
  create(input: WireGroupInput): Promise<WireGroup>;
  update(id: string, input: WireGroupInput): Promise<WireGroup>;
  get(id: string): Promise<WireGroup>;
  delete(id: string): Promise<void>;
  /** Every group of the namespace in the Region, all pages. */
  list(): Promise<WireGroup[]>;
  /** The phone numbers associated with the group, all pages: GetVoiceConnectorGroup does not say. */
  phoneNumbers(id: string): Promise<string[]>;
  /** Associates numbers with the group; a 200 answer can still carry an error per number. */
  associate(id: string, numbers: string[], force: boolean): Promise<PhoneNumberError[]>;
  /** Disassociates numbers from the group; a 200 answer can still carry an error per number. */
  disassociate(id: string, numbers: string[]): Promise<PhoneNumberError[]>;
}

export interface PhoneNumberError {
  PhoneNumberId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/** Opens a namespace's API in a Region; every call made through it is aborted once `signal` fires. */
export type Connect = (namespace: ApiNamespace, region: string, signal: AbortSignal) => GroupWire;

/** What each namespace module exports: its API in a Region, on a client reused across invocations. */
export type OpenWire = (region: string, signal: AbortSignal) => GroupWire;

/**
 * The SDK retries throttling, 5xx and network errors with exponential backoff. More attempts than
 * the default 3 let a deploy ride out a throttling burst; the handler's deadline bounds the total.
 */
export const SDK_MAX_ATTEMPTS = 8;

/** The largest page both namespaces accept for ListVoiceConnectorGroups and ListPhoneNumbers (legacy: 1–99). */
const PAGE_SIZE = 99;

/** Pages followed at most by a list, so a service that keeps answering a NextToken cannot hold the handler. */
const MAX_PAGES = 100;

/** The one place where the resource's property names become the API's. */
export function toWireInput(spec: Pick<GroupSpec, 'voiceConnectorGroupName' | 'callDistribution'>, items: readonly ItemSpec[]): WireGroupInput {
  return {
    // Only an adopted group may leave its name out, and declaredOver fills it in for one.
    Name: spec.voiceConnectorGroupName ?? '',
    VoiceConnectorItems: items.map((i) => ({ VoiceConnectorId: i.voiceConnectorId, Priority: i.priority })),
    ...(spec.callDistribution ? { CallDistributionType: spec.callDistribution } : {}),
  };
}

/**
 * The group as the properties declare it, over the live group: what an adopted group's properties
 * leave out (name, voice connectors, call distribution) is kept as the live group has it.
 */
export function declaredOver(spec: GroupSpec, live: WireGroup): WireGroupInput {
  const adopted = spec.adoptVoiceConnectorGroupId !== undefined;
  const input = toWireInput({ voiceConnectorGroupName: spec.voiceConnectorGroupName ?? live.Name }, spec.voiceConnectorItems ?? []);
  const callDistribution = spec.callDistribution ?? (adopted ? (live.CallDistributionType as `${CallDistribution}` | undefined) : undefined);
  return {
    Name: input.Name,
    VoiceConnectorItems: spec.voiceConnectorItems ? input.VoiceConnectorItems : wireItems(live),
    ...(callDistribution ? { CallDistributionType: callDistribution } : {}),
  };
}

const itemsKey = (items: WireGroupInput['VoiceConnectorItems']) => JSON.stringify(items.map((i) => `${i.VoiceConnectorId}:${i.Priority}`).sort());

/** Whether the live group holds exactly these voice connectors, each with this priority, in any order. */
export const sameItems = (live: WireGroup, items: WireGroupInput['VoiceConnectorItems']): boolean => itemsKey(wireItems(live)) === itemsKey(items);

/** Whether the live group already is as `input` would make it, so that no UpdateVoiceConnectorGroup is needed. */
export function sameGroup(live: WireGroup, input: WireGroupInput): boolean {
  return live.Name === input.Name && sameItems(live, input.VoiceConnectorItems) && (live.CallDistributionType ?? undefined) === input.CallDistributionType;
}

/** The input that writes a live group back as the service reported it, with `items` in place of its own. */
export function liveInput(group: WireGroup, items: WireGroupInput['VoiceConnectorItems']): WireGroupInput {
  return {
    Name: group.Name ?? '',
    VoiceConnectorItems: items,
    ...(group.CallDistributionType ? { CallDistributionType: group.CallDistributionType as `${CallDistribution}` } : {}),
  };
}

export function wireItems(group: WireGroup): WireGroupInput['VoiceConnectorItems'] {
  return (group.VoiceConnectorItems ?? []).map((i) => ({ VoiceConnectorId: i.VoiceConnectorId ?? '', Priority: i.Priority ?? 0 }));
}

type ById = { VoiceConnectorGroupId: string };
type Page = { NextToken?: string; MaxResults?: number };
type PhoneFilter = Page & { FilterName: 'VoiceConnectorGroupId'; FilterValue: string };
type Numbers = ById & { E164PhoneNumbers: string[] };
/** The SDK command classes of one namespace; their inputs are the same shapes in both. */
export interface GroupCommands {
  create: new (input: WireGroupInput) => object;
  update: new (input: WireGroupInput & ById) => object;
  get: new (input: ById) => object;
  delete: new (input: ById) => object;
  list: new (input: Page) => object;
  listPhoneNumbers: new (input: PhoneFilter) => object;
  associate: new (input: Numbers & { ForceAssociate: boolean }) => object;
  disassociate: new (input: Numbers) => object;
}
export interface Answer {
  VoiceConnectorGroup?: WireGroup;
  VoiceConnectorGroups?: WireGroup[];
  PhoneNumbers?: { E164PhoneNumber?: string; PhoneNumberId?: string }[];
  PhoneNumberErrors?: PhoneNumberError[];
  NextToken?: string;
}
export type Send = (command: object) => Promise<Answer>;

/** Follows NextToken until the last page. */
async function allPages<T>(fetchPage: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, next } = await fetchPage(token);
    all.push(...items);
    if (!next) return all;
    token = next;
  }
  throw new Error(`the API kept answering NextToken after ${MAX_PAGES} pages`);
}

/** Binds the operations to a namespace's command classes and its client's `send`. */
export function bindWire(sendCommand: Send, commands: GroupCommands): GroupWire {
  const send = async (command: object): Promise<Answer> => (await sendCommand(command)) ?? {};
  const group = async (command: object) => (await send(command)).VoiceConnectorGroup ?? {};
  return {
    create: (input) => group(new commands.create(input)),
    update: (id, input) => group(new commands.update({ VoiceConnectorGroupId: id, ...input })),
    get: (id) => group(new commands.get({ VoiceConnectorGroupId: id })),
    delete: async (id) => {
      await send(new commands.delete({ VoiceConnectorGroupId: id }));
    },
    list: () =>
      allPages(async (token) => {
        const answer = await send(new commands.list({ MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) }));
        return { items: answer.VoiceConnectorGroups ?? [], next: answer.NextToken };
      }),
    phoneNumbers: (id) =>
      allPages(async (token) => {
        const filter = { FilterName: 'VoiceConnectorGroupId', FilterValue: id } as const;
        const answer = await send(new commands.listPhoneNumbers({ ...filter, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) }));
        return { items: (answer.PhoneNumbers ?? []).map((p) => p.E164PhoneNumber ?? p.PhoneNumberId ?? ''), next: answer.NextToken };
      }),
    associate: async (id, numbers, force) =>
      (await send(new commands.associate({ VoiceConnectorGroupId: id, E164PhoneNumbers: numbers, ForceAssociate: force }))).PhoneNumberErrors ?? [],
    disassociate: async (id, numbers) => (await send(new commands.disassociate({ VoiceConnectorGroupId: id, E164PhoneNumbers: numbers }))).PhoneNumberErrors ?? [],
  };
}

/**
 * Keeps one client per Region for the life of the execution environment, so a warm function reuses
 * its connections. The client holds no per-event data; each call gets the event's abort signal.
 */
export function clientCache<C>(make: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = make(region)));
    return client;
  };
}
