import { GROUP_ID_PATTERN, RESOURCE_TYPE } from '../lib/rules';
import { GroupError } from '../lambda/errors';
import { described } from '../lambda/framework';
import { maskNumbers } from '../lambda/phone-numbers';
import { locate } from '../lambda/properties';
import { restoreDeclared } from '../lambda/restore';
import { parseArgs, USAGE } from './args';
import { targets } from './assembly';
import { chimeApi, CommandError, DeployedStack, readGroup, StackReader } from './aws';
import { connectorId, constructPath, declaredSpec, needsResolvedMetadata, TemplateResource } from './declared';
import { compare, Field } from './drift';
import { render } from './output';

/**
 * `npx cdk-chime-voice-connector-group drift`: compares each voice connector group of the deployed
 * stacks with what its template declares, as CloudFormation resolved it (cdk drift and CloudFormation
 * drift detection skip custom resources), and with `--revert` puts the declared state back.
 */

/** A group checked: where it is, what was compared and, with --revert, what changed. */
export interface GroupReport {
  readonly path: string;
  readonly logicalId: string;
  readonly groupId: string;
  readonly namespace: string;
  readonly region: string;
  readonly state: 'in sync' | 'drifted' | 'missing';
  readonly fields: Field[];
  /** With --revert: what was changed, one sentence each. */
  readonly reverted?: string[];
  /** With --revert: the comparison after reverting. */
  readonly after?: Field[];
}

export interface StackReport {
  readonly stack: string;
  readonly region: string;
  readonly status: string;
  readonly groups: GroupReport[];
}

export interface Report {
  /** Whether any group differs from what it declares (after reverting, with --revert). */
  readonly drift: boolean;
  readonly stacks: StackReport[];
}

/** Where the command writes; `progress` says whether stderr is a terminal, where a line per stack goes. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly progress: boolean;
}

/** How long one group's revert may take, its undo included. */
const REVERT_BUDGET_MS = 120_000;

const stateOf = (fields: Field[]): GroupReport['state'] => (fields.some((f) => f.field === 'group' && f.live === 'missing') ? 'missing' : fields.some((f) => f.drift) ? 'drifted' : 'in sync');

async function checkStack(stack: DeployedStack, reader: StackReader, revert: boolean, paths?: ReadonlyMap<string, string>): Promise<StackReport> {
  const resources = (await reader.resources(stack)).filter((r) => r.ResourceType === RESOURCE_TYPE && !String(r.ResourceStatus).startsWith('DELETE_'));
  if (resources.length === 0) return { stack: stack.name, region: stack.region, status: stack.status, groups: [] };
  if (revert && stack.status.endsWith('_IN_PROGRESS')) {
    throw new CommandError(`stack ${stack.name} is ${stack.status}; revert once CloudFormation has finished with it`);
  }
  const template = await reader.template(stack);
  const groups: GroupReport[] = [];
  for (const resource of resources) {
    const logicalId = resource.LogicalResourceId!;
    const declaredResource: TemplateResource | undefined = template.Resources?.[logicalId];
    if (!declaredResource) continue;
    const label = `${stack.name}/${logicalId}`;
    const metadata = needsResolvedMetadata(declaredResource) ? await reader.metadata(stack, logicalId) : undefined;
    let spec;
    try {
      spec = declaredSpec(declaredResource, metadata, label);
    } catch (err) {
      throw new CommandError(err instanceof Error ? err.message : String(err));
    }
    const location = locate(spec, stack.region)!;
    // The group CloudFormation records for the resource: the only one the command reads or changes.
    const id = resource.PhysicalResourceId ?? '';
    const base = { path: constructPath(declaredResource, paths?.get(logicalId)) ?? `${stack.name}/${logicalId}`, logicalId, groupId: id, namespace: location.namespace, region: location.region };
    const what = `group ${id} (${label}) in ${location.namespace} ${location.region}`;
    const api = chimeApi(location.namespace, location.region, AbortSignal.timeout(REVERT_BUDGET_MS));
    const live = GROUP_ID_PATTERN.test(id) ? await readGroup(api, id, what, spec.phoneNumbers !== undefined) : undefined;
    const fields = compare(spec, live);
    const state = stateOf(fields);
    if (!revert || state !== 'drifted' || !live) {
      groups.push({ ...base, state, fields });
      continue;
    }
    // The handler's own update and ledger, on the group CloudFormation records; connectors by the ID the API holds.
    const wire = described(chimeApi(location.namespace, location.region, AbortSignal.timeout(REVERT_BUDGET_MS)), label);
    const items = spec.voiceConnectorItems?.map((i) => ({ ...i, voiceConnectorId: connectorId(i.voiceConnectorId) }));
    const signals = { work: AbortSignal.timeout(REVERT_BUDGET_MS / 2), settle: AbortSignal.timeout(REVERT_BUDGET_MS) };
    let reverted: string[];
    try {
      reverted = await restoreDeclared(wire, wire, id, { ...spec, voiceConnectorItems: items }, live, label, signals);
    } catch (err) {
      throw new CommandError(`reverting ${what} failed: ${err instanceof GroupError ? err.message : String(err)}`);
    }
    const after = compare(spec, await readGroup(api, id, what, spec.phoneNumbers !== undefined));
    groups.push({ ...base, state, fields, reverted, after });
  }
  return { stack: stack.name, region: stack.region, status: stack.status, groups };
}

/** Runs the command; returns its exit status. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let json = argv.includes('--json');
  try {
    const options = parseArgs(argv);
    json = options.json;
    if (options.command === 'help') {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (options.profile) process.env.AWS_PROFILE = options.profile;
    const stacks: StackReport[] = [];
    for (const target of targets(options.app, options.stacks, options.region)) {
      const reader = new StackReader(target.region);
      const region = await reader.resolvedRegion();
      if (io.progress && !json) io.stderr(`Checking stack ${target.name}${region ? ` in ${region}` : ''}…\n`);
      stacks.push(await checkStack(await reader.stack(target.name), reader, options.revert, target.paths));
    }
    const drift = stacks.some((s) => s.groups.some((g) => stateOf(g.after ?? g.fields) !== 'in sync'));
    const report: Report = { drift, stacks };
    io.stdout(maskNumbers(json ? `${JSON.stringify(report, null, 2)}\n` : render(report)));
    return drift && options.fail ? 1 : 0;
  } catch (err) {
    const message = maskNumbers(err instanceof Error ? err.message : String(err));
    if (json) io.stdout(`${JSON.stringify({ error: message }, null, 2)}\n`);
    io.stderr(`cdk-chime-voice-connector-group drift: ${message}\n`);
    return 2;
  }
}
