import { Construct } from 'constructs';

/** The context key the example stacks read their phone numbers from. */
export const PHONE_NUMBERS_CONTEXT = 'phoneNumbers';

/**
 * The phone numbers given as context, `-c phoneNumbers=+12065550100,+12065550101` on the command
 * line or a list in cdk.json; undefined when none is given, so the group leaves its numbers alone.
 * An empty value (`-c phoneNumbers=`) declares that the group has none, which releases the numbers
 * an earlier deploy associated. The construct validates the numbers themselves.
 */
export function phoneNumbersFromContext(scope: Construct): string[] | undefined {
  const value: unknown = scope.node.tryGetContext(PHONE_NUMBERS_CONTEXT);
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '');
  }
  if (Array.isArray(value) && value.every((n) => typeof n === 'string')) return value;
  throw new Error(
    `${scope.node.path}: context ${PHONE_NUMBERS_CONTEXT}: ${JSON.stringify(value)} is neither a comma-separated string nor a list of strings; ` +
      `give it as -c ${PHONE_NUMBERS_CONTEXT}=+12065550100,+12065550101 or as a list of strings in cdk.json`,
  );
}
