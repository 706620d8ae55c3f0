import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { clientCache } from './api';
import type { DescribeResource } from './ownership';

/**
 * CloudFormation's record of a resource, on a client of its own file: index.js requires it on the
 * first event, as it requires a namespace's client. The endpoint comes from the SDK's own settings.
 */
const client = clientCache((region) => new CloudFormationClient({ region, maxAttempts: 3 }));

/** The Region of a stack ARN, `arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>`. */
const regionOf = (stackId: string) => stackId.split(':')[3] || process.env.AWS_REGION || 'us-east-1';

export const describeResource: DescribeResource = async (stackId, logicalId, signal) => {
  const answer = await client(regionOf(stackId)).send(new DescribeStackResourceCommand({ StackName: stackId, LogicalResourceId: logicalId }), { abortSignal: signal });
  const detail = answer.StackResourceDetail;
  return { status: detail?.ResourceStatus, physicalId: detail?.PhysicalResourceId, lastUpdated: detail?.LastUpdatedTimestamp };
};
