import { Stack, StackProps } from 'aws-cdk-lib';
import { CfnVoiceConnector } from 'aws-cdk-lib/aws-chime';
import { Construct } from 'constructs';
import { VoiceConnectorGroup } from '../lib';

/**
 * Two voice connectors in two Regions and one group that sends calls to the us-east-1 connector
 * first and fails over to the us-west-2 one when it is unavailable.
 */
export class TelephonyStack extends Stack {
  public readonly group: VoiceConnectorGroup;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const primary = new CfnVoiceConnector(this, 'PrimaryConnector', {
      name: 'pbx-us-east-1',
      awsRegion: 'us-east-1',
      requireEncryption: true,
    });
    const secondary = new CfnVoiceConnector(this, 'SecondaryConnector', {
      name: 'pbx-us-west-2',
      awsRegion: 'us-west-2',
      requireEncryption: true,
    });
    this.group = new VoiceConnectorGroup(this, 'FailoverGroup', {
      voiceConnectorGroupName: 'pbx-failover',
      voiceConnectorItems: [
        { voiceConnectorId: primary.attrVoiceConnectorId, priority: 1 },
        { voiceConnectorId: secondary.attrVoiceConnectorId, priority: 2 },
      ],
    });
  }
}
