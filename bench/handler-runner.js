'use strict';
/**
 * Runs in a fresh Node.js process forked by bench/run.ts, so the first event is a true cold start.
 * Loads one bundle and handles Create events one after another in this one process, as one warm
 * Lambda instance would, so every event after the first reuses what the first loaded and built:
 *   mode "handler":     the handler asset's index.js, given CloudFormation Create events; it loads
 *                       its namespace file (and builds the SDK client) on the first event;
 *   mode "bare-same":   the bare SDK client bundle, sending the calls the handler makes for one
 *                       Create: ListVoiceConnectorGroups, CreateVoiceConnectorGroup, ListVoiceConnectorGroups;
 *   mode "bare-create": the bare SDK client bundle, sending CreateVoiceConnectorGroup only.
 * After each event the group it made is emptied of its connectors and deleted, outside the timing,
 * so every event finds the Region as the first did (no groups) and the lists do not grow with the
 * number of events.
 * Reports the time to load the bundle and answer the first event, then the events per second of
 * the next `count` events (their summed time).
 */
const path = require('path');

const [mode, bundle, eventJson, countArg, prefix] = process.argv.slice(2);
const count = Number(countArg);
const template = JSON.parse(eventJson);
const region = template.ResourceProperties.apiRegion;

function send(message) {
  process.send(message, () => process.disconnect());
}

async function main() {
  const started = process.hrtime.bigint();
  const loaded = require(bundle);
  let handle;
  let remove;
  if (mode === 'handler') {
    handle = async (i) => {
      const name = `${prefix}-${i}`;
      const event = { ...template, RequestId: name, ResourceProperties: { ...template.ResourceProperties, voiceConnectorGroupName: name } };
      return (await loaded.handler(event)).PhysicalResourceId;
    };
    // The asset's own namespace module, the one index.js loaded: its cached client does the cleanup.
    remove = async (id, i) => {
      const wire = require(path.join(path.dirname(bundle), 'chime-sdk-voice.js')).open(region, undefined);
      await wire.update(id, { Name: `${prefix}-${i}`, VoiceConnectorItems: [] });
      await wire.delete(id);
    };
  } else {
    const client = new loaded.ChimeSDKVoiceClient({ region, maxAttempts: 8 });
    const items = template.ResourceProperties.voiceConnectorItems.map((i) => ({ VoiceConnectorId: i.voiceConnectorId, Priority: Number(i.priority) }));
    const list = async () => {
      const groups = [];
      let token;
      do {
        const page = await client.send(new loaded.ListVoiceConnectorGroupsCommand({ MaxResults: 99, ...(token ? { NextToken: token } : {}) }));
        groups.push(...(page.VoiceConnectorGroups ?? []));
        token = page.NextToken;
      } while (token);
      return groups;
    };
    const create = async (i) => (await client.send(new loaded.CreateVoiceConnectorGroupCommand({ Name: `${prefix}-${i}`, VoiceConnectorItems: items }))).VoiceConnectorGroup.VoiceConnectorGroupId;
    handle =
      mode === 'bare-same'
        ? async (i) => {
            await list();
            const id = await create(i);
            await list();
            return id;
          }
        : create;
    remove = async (id, i) => {
      await client.send(new loaded.UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: `${prefix}-${i}`, VoiceConnectorItems: [] }));
      await client.send(new loaded.DeleteVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id }));
    };
  }
  const firstId = await handle(0);
  // The cold figure ends when the first event is answered; its cleanup is not part of it.
  const coldMs = Number(process.hrtime.bigint() - started) / 1e6;
  await remove(firstId, 0);
  let busy = 0n;
  for (let i = 1; i <= count; i++) {
    const t0 = process.hrtime.bigint();
    const id = await handle(i);
    busy += process.hrtime.bigint() - t0;
    await remove(id, i);
  }
  send({ coldStartMs: coldMs, eventsPerSecond: count > 0 ? count / (Number(busy) / 1e9) : null });
}

main().catch((err) => {
  send({ error: String(err && err.stack ? err.stack : err) });
});
