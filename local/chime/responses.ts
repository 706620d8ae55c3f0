import { ChimeModel, Group, PhoneNumber, statusOf } from './models';
import { ApiError, checkGroupFields, checkPhoneNumberList, Namespace, PAGE_SIZE, page } from './rules';

/**
 * One request's answer (moto's `responses`): reads the operation's input, checks it against the
 * API's rules, asks the model, and renders the answer in the API's JSON shape with the status the
 * API reference gives each operation.
 */

export type Operation =
  | 'CreateVoiceConnectorGroup'
  | 'GetVoiceConnectorGroup'
  | 'UpdateVoiceConnectorGroup'
  | 'DeleteVoiceConnectorGroup'
  | 'ListVoiceConnectorGroups'
  | 'AssociatePhoneNumbersWithVoiceConnectorGroup'
  | 'DisassociatePhoneNumbersFromVoiceConnectorGroup'
  | 'ListPhoneNumbers'
  | 'CreateVoiceConnector'
  | 'DeleteVoiceConnector';

export interface Request {
  readonly operation: Operation;
  readonly namespace: Namespace;
  readonly region: string;
  /** The resource ID from the path, decoded. */
  readonly id?: string;
  readonly body: Record<string, unknown>;
  readonly query: URLSearchParams;
}

const ACCOUNT = '123456789012';

/** Answers a request from the model; throws ApiError when the API's rules refuse it. */
export function respond(model: ChimeModel, { operation, namespace, region, id, body, query }: Request): [number, object?] {
  switch (operation) {
    case 'CreateVoiceConnectorGroup':
      return [201, { VoiceConnectorGroup: renderGroup(model.createGroup(namespace, region, checkGroupFields(namespace, body, 'Create'))) }];
    case 'GetVoiceConnectorGroup':
      return [200, { VoiceConnectorGroup: renderGroup(model.visibleGroup(namespace, region, id)) }];
    case 'UpdateVoiceConnectorGroup': {
      const group = model.visibleGroup(namespace, region, id);
      model.updateGroup(group, checkGroupFields(namespace, body, 'Update'));
      return [202, { VoiceConnectorGroup: renderGroup(group) }];
    }
    case 'DeleteVoiceConnectorGroup':
      model.deleteGroup(model.visibleGroup(namespace, region, id));
      return [204];
    case 'ListVoiceConnectorGroups': {
      const { items, NextToken } = page(model.listGroups(namespace, region), query, PAGE_SIZE.ListVoiceConnectorGroups[namespace]);
      return [200, { VoiceConnectorGroups: items.map(renderGroup), ...(NextToken ? { NextToken } : {}) }];
    }
    case 'AssociatePhoneNumbersWithVoiceConnectorGroup': {
      const group = model.visibleGroup(namespace, region, id);
      const numbers = checkPhoneNumberList(body);
      if (body.ForceAssociate !== undefined && typeof body.ForceAssociate !== 'boolean') throw new ApiError('BadRequest', 'ForceAssociate must be a boolean');
      return [200, { PhoneNumberErrors: model.associate(group, numbers, body.ForceAssociate === true) }];
    }
    case 'DisassociatePhoneNumbersFromVoiceConnectorGroup': {
      const group = model.visibleGroup(namespace, region, id);
      return [200, { PhoneNumberErrors: model.disassociate(group, checkPhoneNumberList(body)) }];
    }
    case 'ListPhoneNumbers': {
      // ListPhoneNumbers in each API reference: the filters and product types each namespace accepts.
      const filters = namespace === 'chime' ? ['AccountId', 'UserId', 'VoiceConnectorId', 'VoiceConnectorGroupId', 'SipRuleId'] : ['VoiceConnectorId', 'VoiceConnectorGroupId', 'SipRuleId'];
      const productTypes = namespace === 'chime' ? ['BusinessCalling', 'VoiceConnector', 'SipMediaApplicationDialIn'] : ['VoiceConnector', 'SipMediaApplicationDialIn'];
      const filter = query.get('filter-name');
      const value = query.get('filter-value');
      const productType = query.get('product-type');
      if ((filter === null) !== (value === null)) throw new ApiError('BadRequest', 'FilterName and FilterValue must be given together');
      if (filter !== null && !filters.includes(filter)) throw new ApiError('BadRequest', `FilterName must be one of ${filters.join(', ')}`);
      if (productType !== null && !productTypes.includes(productType)) throw new ApiError('BadRequest', `ProductType must be one of ${productTypes.join(', ')}`);
      const numbers = model.listPhoneNumbers(filter === null ? undefined : { name: filter, value: value! }, productType, query.get('status'));
      const { items, NextToken } = page(numbers, query, PAGE_SIZE.ListPhoneNumbers[namespace]);
      return [200, { PhoneNumbers: items.map(renderPhoneNumber), ...(NextToken ? { NextToken } : {}) }];
    }
    case 'CreateVoiceConnector': {
      const name = String(body.Name ?? '');
      if (!name) throw new ApiError('BadRequest', 'Name is required');
      const connector = model.createConnector(String(body.AwsRegion ?? region), name);
      return [201, { VoiceConnector: { VoiceConnectorId: connector.id, AwsRegion: connector.region, Name: name, RequireEncryption: body.RequireEncryption ?? true } }];
    }
    case 'DeleteVoiceConnector':
      model.deleteConnector(id);
      return [204];
  }
}

function renderGroup(g: Group): object {
  return {
    VoiceConnectorGroupId: g.id,
    Name: g.name,
    VoiceConnectorItems: g.items,
    CreatedTimestamp: g.created,
    UpdatedTimestamp: g.updated,
    ...(g.namespace === 'chime-sdk-voice' ? { VoiceConnectorGroupArn: `arn:aws:chime:${g.region}:${ACCOUNT}:vcg/${g.id}` } : {}),
    ...(g.callDistribution ? { CallDistributionType: g.callDistribution } : {}),
  };
}

/** A phone number as ListPhoneNumbers returns it (the ID is the E.164 number). */
function renderPhoneNumber(n: PhoneNumber): object {
  return {
    PhoneNumberId: n.e164,
    E164PhoneNumber: n.e164,
    Type: 'Local',
    ProductType: n.productType,
    Status: statusOf(n),
    Associations: n.association ? [{ Name: n.association.name, Value: n.association.value, AssociatedTimestamp: n.association.at }] : [],
    CreatedTimestamp: n.created,
    UpdatedTimestamp: n.updated,
  };
}
