/**
 * `npm run audit:handler`: audits what the package ships. The package has no runtime dependencies;
 * what reaches users' accounts is the handler bundle in dist/handler, with the AWS SDK packages
 * esbuild put into it, as its THIRD-PARTY-NOTICES.txt lists them (name and version). This runs
 * `npm audit` (the registry's advisory service) over the lockfile, keeps the advisories that
 * concern one of those packages at a bundled version, and fails on any the allowlist below does not
 * give a reason for. It needs the advisory service, so it is not part of `npm test`: run it after
 * `npm run build` on a machine that reaches the registry.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const NOTICES = path.join(ROOT, 'dist', 'handler', 'THIRD-PARTY-NOTICES.txt');

export interface BundledPackage {
  readonly name: string;
  readonly version: string;
}

/** Advisories accepted in the bundle, each with the reason; keyed by package and bundled version. */
export interface Allowance extends BundledPackage {
  readonly reason: string;
}

export const ALLOWED: readonly Allowance[] = [
  {
    name: 'fast-xml-parser',
    version: '4.4.1',
    reason:
      '@aws-sdk/client-chime is pinned at 3.699.0, since later releases no longer contain the legacy voice connector group commands, and brings the SDK core of ' +
      'that release, whose XML parser reads only AWS STS answers. The handler never calls STS: in Lambda the credential chain takes the ' +
      "function's credentials from the environment, and the Chime API answers in JSON.",
  },
];

/** The packages in the handler bundle, from the first block of its notices file (`name version license ...`). */
export function bundledPackages(notices: string): BundledPackage[] {
  const lines = notices.split('\n');
  const found: BundledPackage[] = [];
  for (const line of lines.slice(lines.findIndex((l) => l.trim() === '') + 1)) {
    const match = /^(@?[^\s@]+(?:\/[^\s@]+)?) (\d+\.\d+\.\d+\S*)\s/.exec(line);
    if (!match) break;
    found.push({ name: match[1], version: match[2] });
  }
  return found;
}

/** The parts of `npm audit --json` (report version 2) read here. */
export interface AuditReport {
  readonly error?: { readonly summary?: string; readonly detail?: string };
  readonly message?: string;
  readonly vulnerabilities?: Record<string, { readonly nodes: string[]; readonly via: (string | { readonly title: string; readonly url: string; readonly severity: string })[] }>;
}

export interface Finding extends BundledPackage {
  readonly severity: string;
  readonly title: string;
  readonly url: string;
  /** The allowlist's reason, when it accepts the finding. */
  readonly allowedBecause?: string;
}

/**
 * The advisories that concern a bundled package at its bundled version. `versionAt` reads the
 * version installed at one of the report's node paths (`node_modules/.../name`).
 */
export function findingsInBundle(report: AuditReport, bundled: readonly BundledPackage[], versionAt: (node: string) => string | undefined, allowed = ALLOWED): Finding[] {
  const findings: Finding[] = [];
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities ?? {})) {
    const versions = new Set(vulnerability.nodes.map(versionAt).filter((v): v is string => v !== undefined));
    for (const version of versions) {
      if (!bundled.some((b) => b.name === name && b.version === version)) continue;
      const allowedBecause = allowed.find((a) => a.name === name && a.version === version)?.reason;
      for (const advisory of vulnerability.via) {
        // A string names another vulnerable package this one depends on; that package has an entry of its own.
        if (typeof advisory === 'string') continue;
        findings.push({ name, version, severity: advisory.severity, title: advisory.title, url: advisory.url, allowedBecause });
      }
    }
  }
  return findings;
}

/** Why the report holds no verdict, if it holds none (the advisory service refused or was not reached). */
export function unanswered(report: AuditReport): string | undefined {
  if (report.vulnerabilities !== undefined) return undefined;
  return report.message ?? report.error?.summary ?? 'npm audit gave no report';
}

function main(): void {
  if (!fs.existsSync(NOTICES)) {
    console.error(`audit:handler: ${path.relative(ROOT, NOTICES)} is missing; run 'npm run build' first`);
    process.exit(2);
  }
  const bundled = bundledPackages(fs.readFileSync(NOTICES, 'utf8'));
  const audit = spawnSync('npm', ['audit', '--json'], { cwd: ROOT, encoding: 'utf8' });
  let report: AuditReport;
  try {
    report = JSON.parse(audit.stdout) as AuditReport;
  } catch {
    report = { message: (audit.stderr || audit.stdout).trim() };
  }
  const why = unanswered(report);
  if (why !== undefined) {
    console.error(`audit:handler: the registry's advisory service gave no answer (${why}); run it on a machine that reaches the registry`);
    process.exit(2);
  }
  const versionAt = (node: string) => {
    const manifest = path.join(ROOT, node, 'package.json');
    return fs.existsSync(manifest) ? (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
  };
  const findings = findingsInBundle(report, bundled, versionAt);
  for (const f of findings) {
    console.log(`${f.allowedBecause ? 'allowed' : 'REFUSED'}  ${f.name}@${f.version}  ${f.severity}  ${f.title}  ${f.url}${f.allowedBecause ? `\n         ${f.allowedBecause}` : ''}`);
  }
  const refused = findings.filter((f) => !f.allowedBecause);
  console.log(`audit:handler: ${bundled.length} bundled packages, ${findings.length} advisories concern them, ${refused.length} not allowed`);
  process.exit(refused.length > 0 ? 1 : 0);
}

if (require.main === module) main();
