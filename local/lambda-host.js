'use strict';
/* global Headers, Request */
/**
 * One Lambda execution environment: a process that runs the synthesised asset exactly as deployed,
 * starting at the function's own `Handler` (CDK's `__entrypoint__.handler`, or `index.handler`
 * when the handler answers CloudFormation itself), one invocation at a time, and keeps its module
 * state between invocations as a warm Lambda environment does. The driver sends it invocations
 * over IPC; the function answers CloudFormation by PUT to the event's ResponseURL.
 */
const https = require('https');
const path = require('path');

// Refuse to run unless both Chime API namespaces and CloudFormation's API point at this machine:
// nothing here may reach AWS.
for (const name of ['AWS_ENDPOINT_URL_CHIME', 'AWS_ENDPOINT_URL_CHIME_SDK_VOICE', 'AWS_ENDPOINT_URL_CLOUDFORMATION']) {
  const value = process.env[name] || '';
  if (!/^http:\/\/127\.0\.0\.1:\d+(\/|$)/.test(value)) {
    console.error(`${name} must point at the local endpoint on 127.0.0.1, not '${value}'`);
    process.exit(2);
  }
}

// CloudFormation's response URLs use the default HTTPS port, and CDK's entrypoint sends its PUT to
// the URL's host and path only. Here the response server has a port of its own (the URL names it,
// and a handler that uses the URL's port reaches it directly), so this process's default HTTPS port
// is that port too. Its certificate is trusted through NODE_EXTRA_CA_CERTS.
https.globalAgent.defaultPort = Number(process.env.LOCAL_RESPONSE_PORT);

// Every delivery of an event carries the same ResponseURL, so the response server cannot tell them
// apart by URL. The environment runs one invocation at a time and labels its PUTs with it, in each
// of Node's call forms: request(options[, cb]), request(url[, options][, cb]) with a string or URL.
let delivery;
const request = https.request;
const { URL } = require('url');
https.request = function (...args) {
  if (delivery === undefined) return request.apply(this, args);
  const label = (options) => ({ ...options, headers: { ...(options && options.headers), 'x-local-delivery': String(delivery) } });
  const [first, second, ...rest] = args;
  if (typeof first === 'string' || first instanceof URL) {
    return typeof second === 'object' && second !== null
      ? request.call(this, first, label(second), ...rest)
      : request.call(this, first, label({}), ...args.slice(1));
  }
  return request.call(this, label(first), ...args.slice(1));
};

// The same label on requests made with Node's global fetch (undici), which does not use https.request.
const fetch = globalThis.fetch;
globalThis.fetch = function (input, init = {}) {
  if (delivery === undefined) return fetch.call(this, input, init);
  const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
  headers.set('x-local-delivery', String(delivery));
  return fetch.call(this, input, { ...init, headers });
};

// As Lambda's Node.js runtime does, the handler is `<module path>.<export>` under the task root
// (source: AWS Lambda guide, "Define Lambda function handler in Node.js" and "Defined runtime
// environment variables": _HANDLER, LAMBDA_TASK_ROOT). A handler that cannot be loaded fails every
// invocation, as Runtime.ImportModuleError / Runtime.HandlerNotFound do.
function load() {
  const spec = process.env._HANDLER || '';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) return { error: `Runtime.MalformedHandlerName: '${spec}' is not <module>.<export>` };
  try {
    const fn = require(path.join(process.env.LAMBDA_TASK_ROOT || '', spec.slice(0, dot)))[spec.slice(dot + 1)];
    return typeof fn === 'function' ? { fn } : { error: `Runtime.HandlerNotFound: ${spec} is undefined or not exported` };
  } catch (err) {
    console.error(err);
    return { error: `Runtime.ImportModuleError: ${String((err && err.message) || err)}` };
  }
}
const handler = load();

process.on('message', async ({ id, event, timeoutMs }) => {
  delivery = id;
  const deadline = Date.now() + timeoutMs;
  try {
    if (handler.error) throw new Error(handler.error);
    await handler.fn(event, { getRemainingTimeInMillis: () => deadline - Date.now() });
    process.send({ id });
  } catch (err) {
    // A thrown error or rejected promise is a function error, which Lambda retries.
    process.send({ id, error: String((err && err.message) || err) });
  } finally {
    delivery = undefined;
  }
});
process.send({ ready: true });
