import type { Json, Template } from './template';

/**
 * Just enough IAM to decide whether a function's execution role may call a CloudFormation action
 * on a stack: the role's inline policies and the `AWS::IAM::Policy` resources attached to it, from
 * the template. Stricter than IAM where it is simpler: a conditional Allow grants nothing, and
 * `NotAction` / `NotResource` statements allow nothing.
 * Source: IAM User Guide, "Policy evaluation logic" (an explicit Deny wins; without an Allow the
 * request is denied) and "IAM JSON policy elements: Action / Resource" (wildcards `*` and `?`).
 */

export interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: unknown;
}

/** The statements of every policy the template attaches to the role, resolved by `resolve`. */
export function roleStatements(template: Template, roleId: string, resolve: (value: Json) => Json): Statement[] {
  const role = template.Resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') return [];
  const documents: Json[] = [];
  for (const p of (role.Properties?.Policies as Json[] | undefined) ?? []) documents.push((p as { PolicyDocument?: Json }).PolicyDocument ?? null);
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::RolePolicy') continue;
    const roles = [r.Properties?.Roles ?? [], r.Properties?.RoleName ?? []].flat() as Json[];
    if (roles.some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }))) documents.push(r.Properties?.PolicyDocument ?? null);
  }
  return documents.flatMap((d) => {
    try {
      const statements = (resolve(d) as { Statement?: Json }).Statement ?? [];
      return [statements].flat() as Statement[];
    } catch {
      return [];
    }
  });
}

const glob = (pattern: string, flags = '') => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);
const matches = (patterns: string | string[] | undefined, value: string, flags = '') => [patterns ?? []].flat().some((p) => glob(String(p), flags).test(value));

/** Whether the statements allow `action` (e.g. `cloudformation:DescribeStackResource`) on `resource`. */
export function allows(statements: Statement[], action: string, resource: string): boolean {
  const applies = (s: Statement) => matches(s.Action, action, 'i') && matches(s.Resource, resource);
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && s.Condition === undefined && applies(s));
}
