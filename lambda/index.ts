import { ApiNamespace } from '../lib/rules';
import type { OpenWire } from './api';
import { makeHandler } from './handler';

/**
 * The handler asset's entry: one function serves both API namespaces, so a group's ServiceToken
 * never changes when its namespace does. Each namespace's SDK client is a file of its own beside
 * this one (lambda/bundle.ts keeps these requires external), loaded the first time an event needs it.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const WIRES: Record<ApiNamespace, () => OpenWire> = {
  [ApiNamespace.CHIME_SDK_VOICE]: () => (require('./chime-sdk-voice') as { open: OpenWire }).open,
  [ApiNamespace.CHIME]: () => (require('./chime') as { open: OpenWire }).open,
};
/* eslint-enable @typescript-eslint/no-require-imports */

export const handler = makeHandler((namespace, region, signal) => WIRES[namespace]()(region, signal));
