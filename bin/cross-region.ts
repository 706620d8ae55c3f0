import { Stack, StackProps } from 'aws-cdk-lib';
import { CfnVoiceConnector } from 'aws-cdk-lib/aws-chime';
import { Construct } from 'constructs';
import { VoiceConnectorGroup } from '../lib';
import { phoneNumbersFromContext } from './phone-numbers';

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

/**
 * The group that routes calls across the Regions' connectors, in a stack of its own, for the phone
 * numbers of the `phoneNumbers` context value, if one is given.
 */
export class FailoverGroupStack extends Stack {
  public readonly group: VoiceConnectorGroup;

  constructor(scope: Construct, id: string, props: FailoverGroupStackProps) {
    // The connector IDs come from stacks in another Region. With the app's cdk.json setting
    // "@aws-cdk/core:defaultCrossStackReferences": "weak", CDK reads them with Fn::GetStackOutput.
    super(scope, id, props);
    this.group = new VoiceConnectorGroup(this, 'Group', {
      voiceConnectorGroupName: 'pbx-cross-region-failover',
      voiceConnectorItems: props.connectors.map((c, i) => ({ voiceConnector: c, priority: i + 1 })),
      phoneNumbers: phoneNumbersFromContext(this),
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
 * Amazon Chime SDK Voice endpoint. The scope is the app, or a pipeline's Stage.
 */
export function crossRegionTelephony(scope: Construct): { east: RegionalConnectorStack; west: RegionalConnectorStack; group: FailoverGroupStack } {
  const east = new RegionalConnectorStack(scope, 'ChimeConnectorEast', { env: { region: 'us-east-1' }, connectorRegion: 'us-east-1' });
  const west = new RegionalConnectorStack(scope, 'ChimeConnectorWest', { env: { region: 'us-east-1' }, connectorRegion: 'us-west-2' });
  const group = new FailoverGroupStack(scope, 'ChimeFailoverGroup', { env: { region: 'us-west-2' }, connectors: [east.connector, west.connector] });
  return { east, west, group };
}
