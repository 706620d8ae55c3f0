// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isNode22, HOW } = require('../tools/node22') as { isNode22: (version: string) => boolean; HOW: string };

/**
 * Jest's global setup. The handler is deployed on Lambda's nodejs22.x, so the tests run on Node.js
 * 22: `npm test` picks it (tools/with-node22.js), and a direct `npx jest` must be run on it too.
 */
export default function globalSetup(): void {
  if (!isNode22(process.versions.node)) {
    throw new Error(`Tests run on Node.js 22, the nodejs22.x runtime the handler is deployed on; this is Node.js ${process.version}. ${HOW}, or run them through npm test, which uses the pinned Linux x64 release where it can.`);
  }
  console.log(`\nTests run on Node.js ${process.version}, the nodejs22.x runtime the handler is deployed on.`);
}
