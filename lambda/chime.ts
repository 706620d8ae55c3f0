import {
  AssociatePhoneNumbersWithVoiceConnectorGroupCommand,
  ChimeClient,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  DisassociatePhoneNumbersFromVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  ListPhoneNumbersCommand,
  ListVoiceConnectorGroupsCommand,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime';
import { bindWire, clientCache, GroupWire, OpenWire, SDK_MAX_ATTEMPTS, Send } from './api';

/**
 * The operations of the legacy Amazon Chime namespace. Its client is pinned to the last release
 * that still has the voice connector group commands, and its types (an older @smithy/types) stay
 * inside this file: the rest of the handler sees only GroupWire.
 */
export function chimeWire(client: Pick<ChimeClient, 'send'>, signal?: AbortSignal): GroupWire {
  const send = ((command: object) => client.send(command as GetVoiceConnectorGroupCommand, { abortSignal: signal })) as Send;
  return bindWire(send, {
    create: CreateVoiceConnectorGroupCommand,
    update: UpdateVoiceConnectorGroupCommand,
    get: GetVoiceConnectorGroupCommand,
    delete: DeleteVoiceConnectorGroupCommand,
    list: ListVoiceConnectorGroupsCommand,
    listPhoneNumbers: ListPhoneNumbersCommand,
    associate: AssociatePhoneNumbersWithVoiceConnectorGroupCommand,
    disassociate: DisassociatePhoneNumbersFromVoiceConnectorGroupCommand,
  });
}

/** The endpoint comes from the SDK's own settings (AWS_ENDPOINT_URL_CHIME), never from code. */
const client = clientCache((region) => new ChimeClient({ region, maxAttempts: SDK_MAX_ATTEMPTS }));

export const open: OpenWire = (region, signal) => chimeWire(client(region), signal);
