import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { CfnVoiceConnector } from 'aws-cdk-lib/aws-chime';
import { Construct } from 'constructs';
import { VoiceConnectorGroup } from '../lib';

export interface RegionalConnectorStackProps extends StackProps {
  /** The Region the voice connector serves calls in. */
  readonly connectorRegion: string;
}

/** One Region's voice connector, in a stack of its own so each Region is deployed on its own schedule. */
export class RegionalConnectorStack extends Stack {
  public readonly connector: CfnVoiceConnector;

  constructor(scope: Construct, id: string, props: RegionalConnectorStackProps) {
    super(scope, id, props);
    this.connector = new CfnVoiceConnector(this, 'Connector', {
      name: `pbx-${props.connectorRegion}`,
      awsRegion: props.connectorRegion,
      requireEncryption: true,
    });
  }
}

export interface FailoverGroupStackProps extends StackProps {
  /** The connectors in failover order: the first takes calls, the next takes over when it fails. */
  readonly connectors: CfnVoiceConnector[];
}

/** The group that routes calls across the Regions' connectors, in a stack of its own. */
export class FailoverGroupStack extends Stack {
  public readonly group: VoiceConnectorGroup;

  constructor(scope: Construct, id: string, props: FailoverGroupStackProps) {
    // The connector IDs come from stacks in another Region: CDK's cross-region references carry them.
    super(scope, id, { ...props, crossRegionReferences: true });
    this.group = new VoiceConnectorGroup(this, 'Group', {
      voiceConnectorGroupName: 'pbx-cross-region-failover',
      voiceConnectorItems: props.connectors.map((c, i) => ({ voiceConnectorId: c.attrVoiceConnectorId, priority: i + 1 })),
    });
  }
}

/**
 * Cross-region telephony as users run it: a stack per connector and a group stack in another
 * Region that fails calls over from the us-east-1 connector to the us-west-2 one.
 *
 * CloudFormation does not offer AWS::Chime::VoiceConnector in us-west-2 (synthesis fails validation
 * there), so the us-west-2 connector's stack is deployed through us-east-1 and places the
 * connector in us-west-2 with `awsRegion`. The group is managed through the us-west-2
 * Amazon Chime SDK Voice endpoint.
 */
export function crossRegionTelephony(app: App): { east: RegionalConnectorStack; west: RegionalConnectorStack; group: FailoverGroupStack } {
  const east = new RegionalConnectorStack(app, 'ChimeConnectorEast', { env: { region: 'us-east-1' }, connectorRegion: 'us-east-1' });
  const west = new RegionalConnectorStack(app, 'ChimeConnectorWest', { env: { region: 'us-east-1' }, connectorRegion: 'us-west-2' });
  const group = new FailoverGroupStack(app, 'ChimeFailoverGroup', { env: { region: 'us-west-2' }, connectors: [east.connector, west.connector] });
  acknowledgeCrossRegionReferences([east, west], group);
  return { east, west, group };
}

/**
 * crossRegionReferences makes CDK add an export writer function to each producer stack and a
 * reader function to the consumer. CDK creates them during synthesis, so their security-tool
 * findings are acknowledged on the stacks, each by its exact finding ID.
 */
function acknowledgeCrossRegionReferences(producers: Stack[], consumer: Stack): void {
  const logs = {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "CDK's cross-region reference writer and reader functions use AWSLambdaBasicExecutionRole only to write their CloudWatch logs.",
  };
  const parameters = (prefix: string) => ({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${consumer.region}:<AWS::AccountId>:parameter/cdk/exports/${prefix}*]`,
    reason: `CDK's cross-region references keep each exported value in an SSM parameter under /cdk/exports/ in ${consumer.region}; the parameter names are generated per reference, so access is limited to that prefix.`,
  });
  for (const producer of producers) {
    Validations.of(producer).acknowledge(logs);
    Validations.of(producer).acknowledge(parameters(''));
  }
  Validations.of(consumer).acknowledge(logs);
  Validations.of(consumer).acknowledge(parameters(`${consumer.stackName}/`));
}
