import {
  ChimeClient,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime';
import { ApiNamespace } from '../lib/rules';
import { bindWire, GroupWire, SDK_MAX_ATTEMPTS, Send } from './api';
import { makeHandler } from './handler';

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
  });
}

/** The endpoint comes from the SDK's own settings (AWS_ENDPOINT_URL_CHIME), never from code. */
export const handler = makeHandler(ApiNamespace.CHIME, (region, signal) =>
  chimeWire(new ChimeClient({ region, maxAttempts: SDK_MAX_ATTEMPTS }), signal),
);
