import { ApiNamespace } from '../lib/rules';
import type { OpenWire } from './api';
import { makeHandler, Outbound } from './framework';
import type { DescribeResource } from './ownership';
import { httpsPut } from './outbound';

/**
 * The handler asset's entry. Where to read on:
 * - framework.ts: one event's lifecycle: the request's state, the step, the undo, the answer;
 * - ownership.ts: which groups are this resource's, and whether CloudFormation still waits;
 * - create.ts, update.ts, delete.ts: one lifecycle step each; adopt.ts: a Create (or an Update's
 *   replacement) that adopts an existing group instead of creating one;
 * - ledger.ts: what this delivery changed, and its undo; phone-numbers.ts: numbers in batches;
 * - retry.ts: backoff with jitter, and the read lag after a create;
 * - cfn-response.ts and outbound.ts: the answer, its size limit, and its delivery.
 *
 * One function serves both API namespaces, so a group's ServiceToken never changes when its
 * namespace does. Each namespace's SDK client, and CloudFormation's, is a file of its own beside
 * this one (lambda/bundle.ts keeps these requires external), loaded the first time it is needed.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const WIRES: Record<ApiNamespace, () => OpenWire> = {
  [ApiNamespace.CHIME_SDK_VOICE]: () => (require('./chime-sdk-voice') as { open: OpenWire }).open,
  [ApiNamespace.CHIME]: () => (require('./chime') as { open: OpenWire }).open,
};
const describeResource = () => (require('./cloudformation') as { describeResource: DescribeResource }).describeResource;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The real outside world: the SDK clients and the HTTPS PUT of the answer. */
export const outbound: Outbound = { connect: (namespace, region, signal) => WIRES[namespace]()(region, signal), describeResource, put: httpsPut };

export const handler = makeHandler(outbound);
