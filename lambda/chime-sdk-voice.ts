import {
  AssociatePhoneNumbersWithVoiceConnectorGroupCommand,
  ChimeSDKVoiceClient,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  DisassociatePhoneNumbersFromVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  ListPhoneNumbersCommand,
  ListVoiceConnectorGroupsCommand,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { bindWire, clientCache, GroupWire, OpenWire, SDK_MAX_ATTEMPTS, Send } from './api';

/** The operations of the Amazon Chime SDK Voice namespace, on a client given by the caller. */
export function sdkVoiceWire(client: Pick<ChimeSDKVoiceClient, 'send'>, signal?: AbortSignal): GroupWire {
  // `send` is overloaded per command type; the commands bound below are the only ones it gets.
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

/** The endpoint comes from the SDK's own settings (AWS_ENDPOINT_URL_CHIME_SDK_VOICE), never from code. */
const client = clientCache((region) => new ChimeSDKVoiceClient({ region, maxAttempts: SDK_MAX_ATTEMPTS }));

export const open: OpenWire = (region, signal) => sdkVoiceWire(client(region), signal);
