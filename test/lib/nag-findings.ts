import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** Every acknowledgement that applies to a construct: its own and its ancestors'. */
export function acknowledgementsOf(construct: IConstruct): Record<string, string> {
  const found: Record<string, string> = {};
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    for (const entry of c.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) Object.assign(found, entry.data);
    }
  }
  return found;
}

/**
 * Runs the AwsSolutions pack over a stack's synthesised template. The template is read back with
 * CfnInclude so every resource is a typed L1 the rules inspect (the provider's own resources are
 * plain CfnResources, which the rules would pass over), and the acknowledgements recorded in the
 * app are carried over to the same logical IDs.
 */
export function findings(stack: Stack, assemblyDir: string): string[] {
  const acknowledged = new Map<string, Record<string, string>>();
  for (const c of stack.node.findAll()) {
    if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) acknowledged.set(stack.resolve(c.logicalId), acknowledgementsOf(c));
  }
  const check = new Stack(new App(), 'Check');
  const original = path.join(assemblyDir, stack.templateFile);
  const templateFile = includable(original);
  const template = new CfnInclude(check, 'Template', { templateFile });
  if (templateFile !== original) fs.rmSync(path.dirname(templateFile), { recursive: true });
  for (const [logicalId, rules] of acknowledged) {
    for (const [id, reason] of Object.entries(rules)) {
      Validations.of(template.getResource(logicalId)).acknowledge({ id: id.replace(/^annotation::/i, ''), reason });
    }
  }
  return new AwsSolutionsChecks().validateScope(check.node.root).violations.map((v) => `${stack.stackName} ${v.ruleName}: ${v.description}`);
}

/**
 * CfnInclude refuses `Fn::GetStackOutput`, which weak cross-stack references write. The value
 * read that way is another stack's output and no rule looks at it, so a copy of the template with
 * a placeholder string in its place is checked instead.
 */
function includable(templateFile: string): string {
  const text = fs.readFileSync(templateFile, 'utf8');
  if (!text.includes('"Fn::GetStackOutput"')) return templateFile;
  const placeholder = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(placeholder);
    if (value === null || typeof value !== 'object') return value;
    if ('Fn::GetStackOutput' in value) return 'output-of-another-stack';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, placeholder(v)]));
  };
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nag-')), path.basename(templateFile));
  fs.writeFileSync(copy, JSON.stringify(placeholder(JSON.parse(text))));
  return copy;
}
