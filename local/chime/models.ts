import { randomUUID } from 'crypto';
import { ApiError, DEFAULT_GROUP_QUOTA, E164_INVENTORY_PATTERN, GroupFields, Item, MAX_PHONE_NUMBERS_PER_GROUP, Namespace } from './rules';

/**
 * The state of one account's Chime voice resources, as the local endpoint keeps it (moto's
 * `models`): groups per namespace and Region, voice connectors, the phone number inventory, the
 * group quota and the read-after-create lag. The `groups` map is the truth; what the API shows of it
 * goes through `visibleGroup` and `isVisible`, which apply the lag.
 */

/** PhoneNumberProductType; BusinessCalling exists in the legacy namespace only. */
export type PhoneNumberProductType = 'VoiceConnector' | 'SipMediaApplicationDialIn' | 'BusinessCalling';

/** The per-number codes this endpoint answers in PhoneNumberErrors (values of ErrorCode in the API reference). */
export type PhoneNumberErrorCode = 'NotFound' | 'BadRequest' | 'PhoneNumberAssociationsExist';

export interface PhoneNumberAssociation {
  readonly name: 'VoiceConnectorGroupId' | 'VoiceConnectorId';
  readonly value: string;
  readonly at: string;
}

/** A number in the account's inventory, associated with at most one group or voice connector. */
export interface PhoneNumber {
  readonly e164: string;
  readonly productType: PhoneNumberProductType;
  association?: PhoneNumberAssociation;
  readonly created: string;
  updated: string;
}

export type { Item };

export interface Group {
  readonly id: string;
  readonly namespace: Namespace;
  readonly region: string;
  name: string;
  items: Item[];
  callDistribution?: string;
  /**
   * The numbers associated with the group, read from the inventory. Assigning to it changes the
   * associations as if done outside CloudFormation: the group's other numbers are released and the
   * given ones associated (added to the inventory as VoiceConnector numbers if unknown).
   */
  phoneNumbers: string[];
  readonly created: string;
  /** Creation order: groups made in the same millisecond still list in the order they were made. */
  readonly sequence: number;
  updated: string;
}

export interface Connector {
  readonly id: string;
  readonly region: string;
  readonly name: string;
}

export interface PhoneNumberErrorEntry {
  readonly PhoneNumberId: string;
  readonly ErrorCode: PhoneNumberErrorCode;
  readonly ErrorMessage: string;
}

export interface ModelOptions {
  /** The account's quota of voice connector groups, counted across every Region and both namespaces. @default 3 */
  readonly groupQuota?: number;
  /** How long a group made through the API stays invisible to the API after its creation. @default 0 */
  readonly readAfterCreateLagMs?: number;
  /** The clock the lag is measured with, in milliseconds. @default Date.now */
  readonly clock?: () => number;
}

function connectorId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 22);
}

export class ChimeModel {
  readonly groups = new Map<string, Group>();
  readonly connectors = new Map<string, Connector>();
  /** The account's phone number inventory, by E.164 number; one account serves both namespaces and every Region. */
  readonly phoneNumbers = new Map<string, PhoneNumber>();
  groupQuota: number;
  /**
   * Read-after-create lag: for this long after it was made through the API, a group is invisible to
   * the API. Get, Update, Delete, Associate and Disassociate answer NotFound for it, List omits it,
   * and ListPhoneNumbers filtered by it answers an empty list. The real service's eventual
   * consistency is documented for reads (hashicorp/terraform-provider-aws#34218; Terraform's
   * internal/service/chime/find.go retries NotFound, for a new resource only, for
   * `voiceConnectorResourcePropagationTimeout = 1 * time.Minute`); applying it to writes too is
   * stricter than documented, on purpose: the model may be stricter than AWS, never more lenient.
   * Read at each request, so a test may change it at any time; groups seeded with `addGroup` are old
   * and never lag.
   */
  readAfterCreateLagMs: number;
  private readonly clock: () => number;
  /** When each group made through the API was made, by the clock; seeded groups have no entry. */
  private readonly madeAt = new Map<string, number>();
  private sequence = 0;

  constructor(options: ModelOptions = {}) {
    this.groupQuota = options.groupQuota ?? DEFAULT_GROUP_QUOTA;
    this.readAfterCreateLagMs = options.readAfterCreateLagMs ?? 0;
    this.clock = options.clock ?? Date.now;
  }

  /** Whether the API sees the group yet: it exists and its read-after-create lag has passed. */
  isVisible(groupId: string): boolean {
    if (!this.groups.has(groupId)) return false;
    const made = this.madeAt.get(groupId);
    return made === undefined || this.clock() - made >= this.readAfterCreateLagMs;
  }

  // ---- Seeding and inspection (the hooks tests use; no API rules, no lag) ----

  /** Adds an existing voice connector in a Region and returns its ID. */
  addConnector(region: string, name = `vc-${region}`): string {
    const id = connectorId();
    this.connectors.set(id, { id, region, name });
    return id;
  }

  /** Adds a group as if it had been created through the API long ago (so visible at once), and returns its ID. */
  addGroup(namespace: Namespace, region: string, name: string, items: Item[] = []): string {
    return this.newGroup(namespace, region, { name, items }).id;
  }

  /** Adds numbers to the account's inventory, unassociated (status Unassigned). */
  addPhoneNumbers(numbers: string[], options: { productType?: PhoneNumberProductType } = {}): void {
    for (const e164 of numbers) {
      if (!E164_INVENTORY_PATTERN.test(e164)) throw new Error(`${e164} is not an E.164 number (${E164_INVENTORY_PATTERN.source})`);
      if (this.phoneNumbers.has(e164)) throw new Error(`${e164} is already in the inventory`);
    }
    const now = new Date().toISOString();
    for (const e164 of numbers) this.phoneNumbers.set(e164, { e164, productType: options.productType ?? 'VoiceConnector', created: now, updated: now });
  }

  /**
   * Associates phone numbers with a group as if done outside CloudFormation, moving them from
   * wherever they were. Numbers not yet in the inventory are added as VoiceConnector numbers.
   */
  associatePhoneNumbers(groupId: string, numbers: string[]): void {
    if (!this.groups.has(groupId)) throw new Error(`no group ${groupId}`);
    this.associateOutside({ name: 'VoiceConnectorGroupId', value: groupId }, numbers);
  }

  /** Associates phone numbers with a voice connector, as AssociatePhoneNumbersWithVoiceConnector would with ForceAssociate. */
  associatePhoneNumbersWithConnector(connectorId: string, numbers: string[]): void {
    if (!this.connectors.has(connectorId)) throw new Error(`no voice connector ${connectorId}`);
    this.associateOutside({ name: 'VoiceConnectorId', value: connectorId }, numbers);
  }

  /** The numbers associated with a group or voice connector, in inventory order. */
  phoneNumbersOf(id: string): string[] {
    return [...this.phoneNumbers.values()].filter((n) => n.association?.value === id).map((n) => n.e164);
  }

  /** Every group of a namespace (and Region), whether or not the API sees it yet. */
  groupsIn(namespace: Namespace, region?: string): Group[] {
    return [...this.groups.values()].filter((g) => g.namespace === namespace && (!region || g.region === region));
  }

  // ---- What the API does to the state (its request rules are checked before, in rules.ts) ----

  createGroup(namespace: Namespace, region: string, fields: GroupFields): Group {
    this.checkConnectors(fields.items);
    if (this.groups.size >= this.groupQuota) {
      throw new ApiError('ResourceLimitExceeded', `The account has reached its limit of ${this.groupQuota} voice connector groups`);
    }
    const group = this.newGroup(namespace, region, fields);
    this.madeAt.set(group.id, this.clock());
    return group;
  }

  /** The group as the API sees it: in this namespace and Region, and past its read-after-create lag. */
  visibleGroup(namespace: Namespace, region: string, id: string | undefined): Group {
    const group = id ? this.groups.get(id) : undefined;
    if (!group || group.namespace !== namespace || group.region !== region || !this.isVisible(group.id)) {
      throw new ApiError('NotFound', `Voice connector group ${id} not found`);
    }
    return group;
  }

  updateGroup(group: Group, fields: GroupFields): void {
    this.checkConnectors(fields.items);
    Object.assign(group, { callDistribution: undefined }, fields, { updated: new Date().toISOString() });
  }

  deleteGroup(group: Group): void {
    // DeleteVoiceConnectorGroup: "Any VoiceConnectorItems and phone numbers associated with the group must be removed before it can be deleted."
    if (group.items.length > 0) throw new ApiError('Conflict', `Voice connector group ${group.id} still has VoiceConnectorItems; remove them first`);
    if (group.phoneNumbers.length > 0) throw new ApiError('Conflict', `Voice connector group ${group.id} still has phone numbers associated`);
    this.groups.delete(group.id);
    this.madeAt.delete(group.id);
  }

  /** The groups ListVoiceConnectorGroups shows, in creation order. */
  listGroups(namespace: Namespace, region: string): Group[] {
    return this.groupsIn(namespace, region)
      .filter((g) => this.isVisible(g.id))
      .sort((a, b) => a.sequence - b.sequence);
  }

  /**
   * Sorts a request's numbers into per-number errors and the numbers to associate, then associates
   * them. AssociatePhoneNumbersWithVoiceConnectorGroup: "If false, does not associate any phone
   * numbers that have previously existing associations"; which ErrorCode each failure gets is not
   * stated there, so the codes are this endpoint's choice among the PhoneNumberError values.
   */
  associate(group: Group, numbers: string[], force: boolean): PhoneNumberErrorEntry[] {
    const errors: PhoneNumberErrorEntry[] = [];
    const accepted: PhoneNumber[] = [];
    for (const e164 of numbers) {
      const number = this.phoneNumbers.get(e164);
      if (!number) errors.push(phoneNumberError(e164, 'NotFound', `Phone number ${e164} not found`));
      else if (number.productType !== 'VoiceConnector') {
        errors.push(phoneNumberError(e164, 'BadRequest', `Phone number ${e164} has product type ${number.productType}; only VoiceConnector numbers can be associated with a voice connector group`));
      } else if (number.association?.value === group.id) continue;
      else if (number.association && !force) {
        errors.push(phoneNumberError(e164, 'PhoneNumberAssociationsExist', `Phone number ${e164} is associated with ${where(number)}; set ForceAssociate to move it`));
      } else accepted.push(number);
    }
    const held = group.phoneNumbers.length;
    if (held + accepted.length > MAX_PHONE_NUMBERS_PER_GROUP) {
      throw new ApiError('BadRequest', `Voice connector group ${group.id} holds ${held} phone numbers; ${accepted.length} more would pass the limit of ${MAX_PHONE_NUMBERS_PER_GROUP}`);
    }
    const at = new Date().toISOString();
    for (const number of accepted) Object.assign(number, { association: { name: 'VoiceConnectorGroupId', value: group.id, at }, updated: at });
    return errors;
  }

  disassociate(group: Group, numbers: string[]): PhoneNumberErrorEntry[] {
    const errors: PhoneNumberErrorEntry[] = [];
    const at = new Date().toISOString();
    for (const e164 of numbers) {
      const number = this.phoneNumbers.get(e164);
      if (!number) errors.push(phoneNumberError(e164, 'NotFound', `Phone number ${e164} not found`));
      else if (number.association?.value !== group.id) {
        errors.push(phoneNumberError(e164, 'NotFound', `Phone number ${e164} is not associated with voice connector group ${group.id}${where(number, ' (it is associated with ', ')')}`));
      } else Object.assign(number, { association: undefined, updated: at });
    }
    return errors;
  }

  /**
   * The inventory as ListPhoneNumbers filters it. Numbers here are associated with groups and voice
   * connectors only, so the other filters match nothing; a filter naming a group the API does not
   * see yet matches nothing either.
   */
  listPhoneNumbers(filter: { name: string; value: string } | undefined, productType: string | null, status: string | null): PhoneNumber[] {
    if (filter?.name === 'VoiceConnectorGroupId' && !this.isVisible(filter.value)) return [];
    return [...this.phoneNumbers.values()].filter(
      (n) =>
        (filter === undefined || (n.association?.name === filter.name && n.association.value === filter.value)) &&
        (productType === null || n.productType === productType) &&
        (status === null || statusOf(n) === status),
    );
  }

  createConnector(region: string, name: string): Connector {
    const connector: Connector = { id: connectorId(), region, name };
    this.connectors.set(connector.id, connector);
    return connector;
  }

  deleteConnector(id: string | undefined): void {
    if (!id || !this.connectors.has(id)) throw new ApiError('NotFound', `Voice connector ${id} not found`);
    const user = [...this.groups.values()].find((g) => g.items.some((i) => i.VoiceConnectorId === id));
    if (user) throw new ApiError('Conflict', `Voice connector ${id} is in voice connector group ${user.id}`);
    // DeleteVoiceConnector: "Any phone numbers associated with the Amazon Chime SDK Voice Connector must be disassociated from it before it can be deleted."
    if (this.phoneNumbersOf(id).length > 0) throw new ApiError('Conflict', `Voice connector ${id} still has phone numbers associated`);
    this.connectors.delete(id);
  }

  private checkConnectors(items: readonly Item[]): void {
    const unknown = items.find((i) => !this.connectors.has(i.VoiceConnectorId));
    if (unknown) throw new ApiError('NotFound', `Voice connector ${unknown.VoiceConnectorId} not found`);
  }

  /** The test hooks' association: no API rules, but no state the API could not reach either. */
  private associateOutside(target: Omit<PhoneNumberAssociation, 'at'>, numbers: string[]): void {
    const unknown = numbers.filter((n) => !this.phoneNumbers.has(n));
    this.addPhoneNumbers([...new Set(unknown)]);
    const wrong = numbers.find((n) => this.phoneNumbers.get(n)!.productType !== 'VoiceConnector');
    if (wrong) throw new Error(`${wrong} is not a VoiceConnector number`);
    const total = new Set([...this.phoneNumbersOf(target.value), ...numbers]).size;
    if (target.name === 'VoiceConnectorGroupId' && total > MAX_PHONE_NUMBERS_PER_GROUP) throw new Error(`a group holds at most ${MAX_PHONE_NUMBERS_PER_GROUP} phone numbers`);
    const at = new Date().toISOString();
    for (const e164 of numbers) Object.assign(this.phoneNumbers.get(e164)!, { association: { ...target, at }, updated: at });
  }

  private newGroup(namespace: Namespace, region: string, fields: GroupFields): Group {
    const now = new Date().toISOString();
    const group = { id: randomUUID(), namespace, region, ...fields, created: now, sequence: this.sequence++, updated: now } as Group;
    // Enumerable, so that a snapshot of the group (JSON.stringify, spread) includes its numbers.
    Object.defineProperty(group, 'phoneNumbers', {
      enumerable: true,
      get: () => this.phoneNumbersOf(group.id),
      set: (numbers: string[]) => {
        const at = new Date().toISOString();
        for (const e164 of this.phoneNumbersOf(group.id)) Object.assign(this.phoneNumbers.get(e164)!, { association: undefined, updated: at });
        this.associatePhoneNumbers(group.id, numbers);
      },
    });
    this.groups.set(group.id, group);
    return group;
  }
}

export function statusOf(number: PhoneNumber): string {
  return number.association ? 'Assigned' : 'Unassigned';
}

function phoneNumberError(PhoneNumberId: string, ErrorCode: PhoneNumberErrorCode, ErrorMessage: string): PhoneNumberErrorEntry {
  return { PhoneNumberId, ErrorCode, ErrorMessage };
}

/** Where a number is associated, for messages that must name it. */
function where(number: PhoneNumber, before = '', after = ''): string {
  if (!number.association) return '';
  const kind = number.association.name === 'VoiceConnectorGroupId' ? 'voice connector group' : 'voice connector';
  return `${before}${kind} ${number.association.value}${after}`;
}
