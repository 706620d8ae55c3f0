import * as fs from 'fs';
import * as path from 'path';

/** A stack to check: its deployed name and its Region, when the assembly or --region says. */
export interface StackTarget {
  readonly name: string;
  readonly region?: string;
  /** Each resource's construct path, by logical ID, when the assembly has the stack. */
  readonly paths?: ReadonlyMap<string, string>;
}

interface Artifact {
  readonly type?: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: { readonly stackName?: string };
  /** By construct path (`/Stack/Group/Resource/Default`), entries such as `{ type: 'aws:cdk:logicalId', data: 'GroupC77FDACD' }`. */
  readonly metadata?: Record<string, { readonly type?: string; readonly data?: unknown }[]>;
}

/** The construct path of each logical ID the artifact's metadata names, without the leading '/'. */
const pathsOf = (artifact: Artifact): Map<string, string> =>
  new Map(
    Object.entries(artifact.metadata ?? {}).flatMap(([at, entries]) =>
      entries.filter((e) => e.type === 'aws:cdk:logicalId' && typeof e.data === 'string').map((e) => [e.data as string, at.replace(/^\//, '')] as const),
    ),
  );

/** The stacks of a cloud assembly (`cdk.out`), each with the name it is deployed as and its Region. */
export function assemblyStacks(dir: string): (StackTarget & { readonly id: string; readonly displayName?: string })[] {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) return [];
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { artifacts?: Record<string, Artifact> };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([id, a]) => {
      const region = /^aws:\/\/[^/]+\/(.+)$/.exec(a.environment ?? '')?.[1];
      return { id, name: a.properties?.stackName ?? id, displayName: a.displayName, region: region && region !== 'unknown-region' ? region : undefined, paths: pathsOf(a) };
    });
}

/**
 * The stacks to check: those named (by deployed name, artifact ID or display name, taking their
 * Region from the assembly when it has them), or every stack of the assembly. `--region` wins.
 */
export function targets(dir: string, named: readonly string[], region: string | undefined): StackTarget[] {
  const known = assemblyStacks(dir);
  if (named.length === 0 && known.length === 0) {
    throw new Error(`no stacks to check: name them with --stack, or run in the app's directory after cdk synth (no ${path.join(dir, 'manifest.json')})`);
  }
  const chosen = named.length > 0 ? named.map((n) => known.find((k) => [k.name, k.id, k.displayName].includes(n)) ?? ({ name: n } as StackTarget)) : known;
  return chosen.map((s) => ({ name: s.name, region: region ?? s.region, paths: s.paths }));
}
