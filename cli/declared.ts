import { GroupSpec, RESOLVED_METADATA_KEY } from '../lib/rules';
import { parseGroupSpec } from '../lambda/properties';

/** A template value: JSON, where an intrinsic function is an object with one `Ref` or `Fn::` key. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A resource of a template, as GetTemplate returns it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly Metadata?: Record<string, Json>;
}

const isIntrinsic = (value: Json): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && /^(Ref|Fn::.+|Condition)$/.test(Object.keys(value)[0]);

/** The paths (`a.0.b`) of the intrinsic functions in a value: what only CloudFormation can resolve. */
export function intrinsicPaths(value: Json, at = ''): string[] {
  if (isIntrinsic(value)) return [at];
  const join = (k: string | number) => (at ? `${at}.${k}` : String(k));
  if (Array.isArray(value)) return value.flatMap((v, i) => intrinsicPaths(v, join(i)));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => intrinsicPaths(v, join(k)));
  return [];
}

/** The properties the handler reads, without the ones CloudFormation itself consumes. */
const declaredProperties = (resource: TemplateResource): Record<string, Json> =>
  Object.fromEntries(Object.entries(resource.Properties ?? {}).filter(([key]) => key !== 'ServiceToken' && key !== 'ServiceTimeout'));

/** Whether the group declares values only CloudFormation can resolve, so that its resolved Metadata is needed. */
export const needsResolvedMetadata = (resource: TemplateResource): boolean => intrinsicPaths(declaredProperties(resource)).length > 0;

function setAt(target: Json, path: string, value: Json): void {
  const keys = path.split('.');
  let node = target as Record<string, Json>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, Json>;
  node[keys[keys.length - 1]] = value;
}

/**
 * What a group declares, as CloudFormation resolved it: the template's properties, with each value
 * only CloudFormation can resolve taken from the resource's Metadata as DescribeStackResource
 * returned it (`resolvedMetadata`, a JSON string). Throws a sentence when a value is still unresolved.
 */
export function declaredSpec(resource: TemplateResource, resolvedMetadata: string | undefined, label: string): GroupSpec {
  const properties = JSON.parse(JSON.stringify(declaredProperties(resource))) as Record<string, Json>;
  const paths = intrinsicPaths(properties);
  if (paths.length > 0) {
    const metadata = resolvedMetadata ? (JSON.parse(resolvedMetadata) as Record<string, Json>) : {};
    const resolved = (metadata[RESOLVED_METADATA_KEY] ?? {}) as Record<string, Json>;
    const unresolved = paths.filter((p) => !(p in resolved));
    if (unresolved.length > 0) {
      throw new Error(
        `${label} declares ${unresolved.join(', ')} with values known only at deploy time, and its Metadata does not hold them resolved ` +
          '(it was deployed with a release of the construct before the drift command); deploy the stack with this release, then run drift again',
      );
    }
    for (const p of paths) setAt(properties, p, resolved[p]);
  }
  return parseGroupSpec(properties, label);
}

/**
 * A voice connector's ID, from what a group declares: the ID itself, or the connector's ARN
 * (`arn:aws:chime:<Region>:<account>:vc/<ID>`, the physical ID CloudFormation gives an
 * `AWS::Chime::VoiceConnector`, which aws-cdk-lib's `VoiceConnectorReference` carries).
 */
export const connectorId = (declared: string): string => /^arn:aws[\w-]*:chime:[^:]*:[^:]*:vc\/(.+)$/.exec(declared)?.[1] ?? declared;

/**
 * The construct path of a group: from the `aws:cdk:path` Metadata CDK writes into the template, or
 * else from the cloud assembly's record of the logical ID; either names the group's custom resource
 * (…/Group/Resource/Default), of which the group is the construct.
 */
export const constructPath = (resource: TemplateResource, fromAssembly: string | undefined): string | undefined => {
  const at = resource.Metadata?.['aws:cdk:path'];
  const path = typeof at === 'string' ? at : fromAssembly;
  return path?.replace(/\/Resource\/Default$/, '');
};
