import type { CallDistribution, GroupSpec, ItemSpec } from '../lib/rules';

/** A group as the API returns it, in the API's own (PascalCase) names. */
export interface WireGroup {
  VoiceConnectorGroupId?: string;
  VoiceConnectorGroupArn?: string;
  Name?: string;
  VoiceConnectorItems?: { VoiceConnectorId: string | undefined; Priority?: number }[];
}

export interface WireGroupInput {
  Name: string;
  VoiceConnectorItems: { VoiceConnectorId: string; Priority: number }[];
  CallDistributionType?: `${CallDistribution}`;
}

/**
 * The four operations the handler uses. Both namespaces serve them with the same wire protocol,
 * so each namespace module only has to bind them to its own SDK client.
 */
export interface GroupWire {
  create(input: WireGroupInput): Promise<WireGroup>;
  update(id: string, input: WireGroupInput): Promise<WireGroup>;
  get(id: string): Promise<WireGroup>;
  delete(id: string): Promise<void>;
}

/** Opens the API in a Region; every call made through it is aborted once `signal` fires. */
export type Connect = (region: string, signal: AbortSignal) => GroupWire;

/**
 * The SDK retries throttling, 5xx and network errors with exponential backoff. More attempts than
 * the default 3 let a deploy ride out a throttling burst; the handler's deadline bounds the total.
 */
export const SDK_MAX_ATTEMPTS = 8;

/** The one place where the resource's property names become the API's. */
export function toWireInput(spec: Pick<GroupSpec, 'voiceConnectorGroupName' | 'callDistribution'>, items: readonly ItemSpec[]): WireGroupInput {
  return {
    Name: spec.voiceConnectorGroupName,
    VoiceConnectorItems: items.map((i) => ({ VoiceConnectorId: i.voiceConnectorId, Priority: i.priority })),
    ...(spec.callDistribution ? { CallDistributionType: spec.callDistribution } : {}),
  };
}

export function fromWireItems(group: WireGroup): ItemSpec[] {
  return (group.VoiceConnectorItems ?? []).map((i) => ({ voiceConnectorId: i.VoiceConnectorId ?? '', priority: i.Priority ?? 0 }));
}

type ById = { VoiceConnectorGroupId: string };
/** The SDK command classes of one namespace; their inputs are the same shapes in both. */
export interface GroupCommands {
  create: new (input: WireGroupInput) => object;
  update: new (input: WireGroupInput & ById) => object;
  get: new (input: ById) => object;
  delete: new (input: ById) => object;
}
export type Send = (command: object) => Promise<{ VoiceConnectorGroup?: WireGroup }>;

/** Binds the four operations to a namespace's command classes and its client's `send`. */
export function bindWire(send: Send, commands: GroupCommands): GroupWire {
  const group = async (command: object) => (await send(command)).VoiceConnectorGroup ?? {};
  return {
    create: (input) => group(new commands.create(input)),
    update: (id, input) => group(new commands.update({ VoiceConnectorGroupId: id, ...input })),
    get: (id) => group(new commands.get({ VoiceConnectorGroupId: id })),
    delete: async (id) => {
      await send(new commands.delete({ VoiceConnectorGroupId: id }));
    },
  };
}
