import * as fs from 'fs';
import * as path from 'path';
import type { Metafile } from 'esbuild';
import { assetNotices, bundleHandler, HANDLER_OUT_DIR, NOTICES_FILE } from '../../lambda/bundle';

/**
 * The asset holds one handler file without any SDK client and one file per namespace with its own
 * client, loaded only when an event needs it. The bundles drop license comments, so the notices
 * beside them must name every third-party package they contain and carry its license text.
 * `npm test` builds before Jest runs.
 */
const packagesIn = (metafile: Metafile) =>
  new Set(
    Object.keys(metafile.inputs)
      .map((input) => /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1])
      .filter((name): name is string => name !== undefined),
  );

let built: Record<string, Metafile>;
let shipped: string;
beforeAll(async () => {
  built = await bundleHandler(false);
  shipped = fs.readFileSync(path.join(HANDLER_OUT_DIR, NOTICES_FILE), 'utf8');
});

it('keeps every SDK client out of the handler file, and each namespace file holds only its own client', () => {
  expect([...packagesIn(built.index)]).toEqual([]);
  const chimeClients = (name: string) => [...packagesIn(built[name])].filter((p) => /^@aws-sdk\/client-chime/.test(p));
  expect(chimeClients('chime-sdk-voice')).toEqual(['@aws-sdk/client-chime-sdk-voice']);
  expect(chimeClients('chime')).toEqual(['@aws-sdk/client-chime']);
  const index = fs.readFileSync(path.join(HANDLER_OUT_DIR, 'index.js'), 'utf8');
  expect(index).toContain('require("./chime-sdk-voice")');
  expect(index).toContain('require("./chime")');
});

it('ships the notices the build writes for the asset', () => {
  expect(shipped).toBe(assetNotices(built));
});

it('names every bundled package with its version and license, and nothing it does not bundle', () => {
  const bundled = new Set(Object.values(built).flatMap((m) => [...packagesIn(m)]));
  const listed = shipped
    .split('\n====')[0]
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((line) => line.split(' ')[0]);
  expect([...new Set(listed)].sort()).toEqual([...bundled].sort());
  expect(new Set(shipped.split('\n').filter((l) => / {2}\(license text \d+\)$/.test(l))).size).toBe(listed.length);
  expect(listed).toEqual(expect.arrayContaining(['@aws-sdk/client-chime', '@aws-sdk/client-chime-sdk-voice']));
  expect(shipped).not.toContain('no license text shipped');
});

it('carries a license text for every license it lists, the Apache License among them', () => {
  const licenses = new Set([...shipped.matchAll(/^\S+ \S+ {2}(\S+) {2}\(license text \d+\)$/gm)].map((m) => m[1]));
  const texts = new Set([...shipped.matchAll(/^==== License text \d+ \((\S+)\) ====$/gm)].map((m) => m[1]));
  expect(texts).toEqual(licenses);
  expect(shipped).toMatch(/Apache License\s+Version 2\.0/);
});
