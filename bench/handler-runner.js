'use strict';
/**
 * Runs in a fresh Node.js process forked by bench/run.ts, so the first event is a true cold start.
 * Loads one bundle and handles Create events one after another in this one process, as one warm
 * Lambda instance would, so every event after the first reuses what the first loaded and built.
 * bench/run.ts plays CloudFormation (bench/cloudformation.ts): before each event this runner asks it
 * over IPC to issue the request, which gives the event its ResponseURL (HTTPS on 127.0.0.1, with
 * `X-Amz-Date`) and records the resource CREATE_IN_PROGRESS; after the event it asks for the answer
 * PUT to that URL. Both asks are outside the timing.
 *   mode "handler":     the handler asset's index.js, given CloudFormation Create events; it loads
 *                       its namespace file and cloudformation.js (and builds the SDK clients) on the
 *                       first event, and answers by PUT to the ResponseURL itself;
 *   mode "bare-same":   the bare SDK clients bundle, sending the calls the handler makes for one
 *                       Create: DescribeStackResource, ListVoiceConnectorGroups,
 *                       CreateVoiceConnectorGroup, ListVoiceConnectorGroups, the answer PUT, and
 *                       DescribeStackResource again;
 *   mode "bare-create": the bare SDK clients bundle, sending CreateVoiceConnectorGroup only (no
 *                       answer: the floor).
 * After each event the group it made is emptied of its connectors and deleted, outside the timing,
 * so every event finds the Region as the first did (no groups) and the lists do not grow with the
 * number of events.
 * Reports the time to load the bundle and answer the first event, then the events per second of
 * the next `count` events (their summed time), the slowest of them, and how many took over 250 ms.
 */
const { Buffer } = require('buffer');
const https = require('https');
const path = require('path');
const { URL } = require('url');

const [mode, bundle, eventJson, countArg, prefix] = process.argv.slice(2);
const count = Number(countArg);
/** An event slower than this waited for something: an event's calls take a few ms here. */
const SLOW_MS = 250;
const template = JSON.parse(eventJson);
const region = template.ResourceProperties.apiRegion;
const stackId = `arn:aws:cloudformation:${region}:123456789012:stack/Bench-${prefix}/${prefix}`;

let asked = 0;
const replies = new Map();
process.on('message', (m) => {
  if (m && replies.has(m.seq)) {
    replies.get(m.seq)(m);
    replies.delete(m.seq);
  }
});
/** One question to bench/run.ts, answered over IPC. */
const ask = (question) =>
  new Promise((resolve) => {
    const seq = ++asked;
    replies.set(seq, resolve);
    process.send({ seq, ...question });
  });

function send(message) {
  process.send(message, () => process.disconnect());
}

/** Event i, issued by the bench's CloudFormation: its own logical ID, RequestId and group name. */
async function issue(i) {
  const name = `${prefix}-${i}`;
  const event = { ...template, StackId: stackId, RequestId: name, LogicalResourceId: `Group${i}`, ResourceProperties: { ...template.ResourceProperties, voiceConnectorGroupName: name } };
  // bare-create answers no one: its events need no request issued.
  if (mode === 'bare-create') return event;
  const { responseURL } = await ask({ issue: { stackId, logicalId: event.LogicalResourceId, requestId: event.RequestId, region } });
  return { ...event, ResponseURL: responseURL };
}

/** The physical ID the event's answer PUT carried; the answer must be SUCCESS. */
async function answered(event) {
  const { answer } = await ask({ answerOf: event.RequestId });
  if (!answer || answer.Status !== 'SUCCESS' || typeof answer.PhysicalResourceId !== 'string') {
    throw new Error(`event ${event.RequestId} was answered ${JSON.stringify(answer)}`);
  }
  return answer.PhysicalResourceId;
}

/** The answer PUT as the handler sends it (lambda/outbound.ts): empty content type, the URL's own port. */
const put = (url, body) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = https.request(
      { hostname: target.hostname, port: Number(target.port), path: `${target.pathname}${target.search}`, method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        if (response.statusCode >= 200 && response.statusCode < 300) resolve();
        else reject(new Error(`the response URL answered HTTP ${response.statusCode}`));
      },
    );
    request.on('error', reject);
    request.end(body);
  });

async function main() {
  const first = await issue(0);
  const started = process.hrtime.bigint();
  const loaded = require(bundle);
  let handle;
  let remove;
  if (mode === 'handler') {
    handle = (event) => loaded.handler(event);
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
    const create = async (event) => (await client.send(new loaded.CreateVoiceConnectorGroupCommand({ Name: event.ResourceProperties.voiceConnectorGroupName, VoiceConnectorItems: items }))).VoiceConnectorGroup;
    if (mode === 'bare-same') {
      // Built on first use, as the handler builds its CloudFormation client.
      let cfn;
      const describe = async (event) => {
        cfn ??= new loaded.CloudFormationClient({ region, maxAttempts: 3 });
        return (await cfn.send(new loaded.DescribeStackResourceCommand({ StackName: event.StackId, LogicalResourceId: event.LogicalResourceId }))).StackResourceDetail;
      };
      handle = async (event) => {
        await describe(event);
        await list();
        const group = await create(event);
        await list();
        const id = group.VoiceConnectorGroupId;
        const data = { VoiceConnectorGroupId: id, VoiceConnectorGroupName: group.Name, VoiceConnectorGroupArn: group.VoiceConnectorGroupArn };
        await put(event.ResponseURL, JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: id, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data }));
        await describe(event);
      };
    } else {
      handle = create;
    }
    remove = async (id, i) => {
      await client.send(new loaded.UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: `${prefix}-${i}`, VoiceConnectorItems: [] }));
      await client.send(new loaded.DeleteVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id }));
    };
  }
  // bare-create sends no answer: its group ID is the Create's own answer.
  const idOf = async (event, result) => (mode === 'bare-create' ? result.VoiceConnectorGroupId : answered(event));
  const firstResult = await handle(first);
  // The cold figure ends when the first event is answered; its cleanup is not part of it.
  const coldMs = Number(process.hrtime.bigint() - started) / 1e6;
  await remove(await idOf(first, firstResult), 0);
  let busy = 0n;
  let slowestMs = 0;
  let slowEvents = 0;
  for (let i = 1; i <= count; i++) {
    const event = await issue(i);
    const t0 = process.hrtime.bigint();
    const result = await handle(event);
    const took = process.hrtime.bigint() - t0;
    busy += took;
    slowestMs = Math.max(slowestMs, Number(took) / 1e6);
    if (Number(took) / 1e6 > SLOW_MS) slowEvents++;
    await remove(await idOf(event, result), i);
  }
  send({ done: true, coldStartMs: coldMs, eventsPerSecond: count > 0 ? count / (Number(busy) / 1e9) : null, slowestMs, slowEvents });
}

main().catch((err) => {
  send({ done: true, error: String(err && err.stack ? err.stack : err) });
});
