import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { BUNDLE_OPTIONS, HANDLER_ENTRIES, HANDLER_OUT_DIR, notices, NOTICES_FILE } from '../../lambda/bundle';

/**
 * The bundles drop license comments, so the notices beside them must name every third-party
 * package they contain and carry its license text. `npm test` builds before Jest runs.
 */
const root = path.resolve(__dirname, '../..');

describe.each(Object.entries(HANDLER_ENTRIES))('the %s bundle', (namespace, entry) => {
  const { metafile } = buildSync({ ...BUNDLE_OPTIONS, absWorkingDir: root, entryPoints: [entry], write: false, metafile: true, logLevel: 'error' });
  const bundled = new Set(
    Object.keys(metafile.inputs)
      .map((input) => /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  const shipped = fs.readFileSync(path.join(HANDLER_OUT_DIR, namespace, NOTICES_FILE), 'utf8');

  it('ships the notices the build writes for it', () => {
    expect(shipped).toBe(notices(`dist/handler/${namespace}/index.js`, metafile));
  });

  it('names every bundled package with its version and license, and nothing it does not bundle', () => {
    const listed = shipped
      .split('\n====')[0]
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((line) => line.split(' ')[0]);
    expect([...new Set(listed)].sort()).toEqual([...bundled].sort());
    expect(new Set(shipped.split('\n').filter((l) => / {2}\(license text \d+\)$/.test(l))).size).toBe(listed.length);
    expect(listed).toContain(namespace === 'chime' ? '@aws-sdk/client-chime' : '@aws-sdk/client-chime-sdk-voice');
    expect(shipped).not.toContain('no license text shipped');
  });

  it('carries a license text for every license it lists, the Apache License among them', () => {
    const licenses = new Set([...shipped.matchAll(/^\S+ \S+ {2}(\S+) {2}\(license text \d+\)$/gm)].map((m) => m[1]));
    const texts = new Set([...shipped.matchAll(/^==== License text \d+ \((\S+)\) ====$/gm)].map((m) => m[1]));
    expect(texts).toEqual(licenses);
    expect(shipped).toMatch(/Apache License\s+Version 2\.0/);
});
});
