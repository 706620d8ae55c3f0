import * as fs from 'fs';
import * as path from 'path';
import { ALLOWED, AuditReport, bundledPackages, findingsInBundle, unanswered } from '../../tools/audit-handler';

/** `npm run audit:handler` needs the registry's advisory service; its judgement is tested here on reports of npm audit's shape. */

const bundled = [
  { name: '@aws-sdk/client-chime-sdk-voice', version: '3.1142.0' },
  { name: 'fast-xml-parser', version: '4.4.1' },
  { name: '@smithy/core', version: '2.5.7' },
];
const advisory = (title: string, severity = 'high') => ({ title, severity, url: `https://github.com/advisories/GHSA-${title}` });
const versions: Record<string, string> = {
  'node_modules/fast-xml-parser': '4.4.1',
  'node_modules/@smithy/core': '3.41.0',
  'node_modules/@aws-sdk/client-chime/node_modules/@smithy/core': '2.5.7',
  'node_modules/jest-haste-map': '30.2.0',
};

it('lists the packages the handler bundle contains, from its notices file, each at its version', () => {
  const notices = fs.readFileSync(path.join(__dirname, '../../dist/handler/THIRD-PARTY-NOTICES.txt'), 'utf8');
  const packages = bundledPackages(notices);
  expect(packages).toEqual(
    expect.arrayContaining([
      { name: '@aws-sdk/client-chime', version: '3.699.0' },
      { name: '@aws-sdk/client-chime-sdk-voice', version: '3.1142.0' },
      { name: 'fast-xml-parser', version: '4.4.1' },
    ]),
  );
  expect(packages).toHaveLength(notices.split('\n').filter((line) => /\(license text \d+\)$/.test(line)).length);
  expect(packages.some((p) => /^(esbuild|jest|typescript|aws-cdk-lib)$/.test(p.name))).toBe(false);
});

it.each<[string, AuditReport, object[]]>([
  ['no advisory', { vulnerabilities: {} }, []],
  ['an advisory on a dev-only package', { vulnerabilities: { 'jest-haste-map': { nodes: ['node_modules/jest-haste-map'], via: [advisory('dev')] } } }, []],
  [
    'an advisory on a bundled package at its bundled version, which is refused',
    { vulnerabilities: { '@smithy/core': { nodes: ['node_modules/@smithy/core', 'node_modules/@aws-sdk/client-chime/node_modules/@smithy/core'], via: [advisory('core', 'moderate')] } } },
    [{ name: '@smithy/core', version: '2.5.7', severity: 'moderate', title: 'core', url: 'https://github.com/advisories/GHSA-core', allowedBecause: undefined }],
  ],
  [
    "an advisory on the pinned legacy client's XML parser, which the allowlist accepts with its reason",
    { vulnerabilities: { 'fast-xml-parser': { nodes: ['node_modules/fast-xml-parser'], via: [advisory('xml')] } } },
    [{ name: 'fast-xml-parser', version: '4.4.1', severity: 'high', title: 'xml', url: 'https://github.com/advisories/GHSA-xml', allowedBecause: ALLOWED[0].reason }],
  ],
  ['a package that is vulnerable only through another one, which has an entry of its own', { vulnerabilities: { 'fast-xml-parser': { nodes: ['node_modules/fast-xml-parser'], via: ['strnum'] } } }, []],
])('judges %s', (_case, report, findings) => {
  expect(findingsInBundle(report, bundled, (node) => versions[node])).toEqual(findings);
});

it('says when the advisory service gave no verdict, rather than passing', () => {
  expect(unanswered({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk' })).toBe(
    '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  );
  expect(unanswered({ vulnerabilities: {} })).toBeUndefined();
});

it('gives every allowance a reason', () => {
  for (const a of ALLOWED) expect(a.reason.length).toBeGreaterThan(80);
});
