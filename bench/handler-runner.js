'use strict';
/**
 * Runs in a fresh Node.js process forked by bench/run.ts, so the first event is a true cold start.
 * Loads one bundle and sends it Create events one after another, as one Lambda instance would:
 *   mode "handler": our handler bundle, given CloudFormation Create events;
 *   mode "bare":    the bare SDK client bundle, sending the same CreateVoiceConnectorGroup call.
 * Reports the time to load the bundle and answer the first event, then the events per second after it.
 */
const [mode, bundle, eventJson, countArg] = process.argv.slice(2);
const count = Number(countArg);
const template = JSON.parse(eventJson);

function send(message) {
  process.send(message, () => process.disconnect());
}

async function main() {
  const started = process.hrtime.bigint();
  const loaded = require(bundle);
  let handle;
  if (mode === 'handler') {
    handle = (i) => {
      const event = { ...template, RequestId: `bench-${i}`, ResourceProperties: { ...template.ResourceProperties, voiceConnectorGroupName: `bench-${i}` } };
      return loaded.handler(event);
    };
  } else {
    const client = new loaded.ChimeSDKVoiceClient({ region: template.ResourceProperties.apiRegion, maxAttempts: 8 });
    const items = template.ResourceProperties.voiceConnectorItems.map((i) => ({ VoiceConnectorId: i.voiceConnectorId, Priority: Number(i.priority) }));
    handle = (i) => client.send(new loaded.CreateVoiceConnectorGroupCommand({ Name: `bench-${i}`, VoiceConnectorItems: items }));
  }
  await handle(0);
  const first = process.hrtime.bigint();
  for (let i = 1; i <= count; i++) await handle(i);
  const done = process.hrtime.bigint();
  send({ coldStartMs: Number(first - started) / 1e6, eventsPerSecond: count > 0 ? count / (Number(done - first) / 1e9) : null });
}

main().catch((err) => {
  send({ error: String(err && err.stack ? err.stack : err) });
});
