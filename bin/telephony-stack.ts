import { Stack, StackProps } from 'aws-cdk-lib';
import { CfnVoiceConnector } from 'aws-cdk-lib/aws-chime';
import { Construct } from 'constructs';
import { VoiceConnectorGroup } from '../lib';
import { phoneNumbersFromContext } from './phone-numbers';

export interface TelephonyStackProps extends StackProps {
  /**
   * The group's name.
   * @default 'pbx-failover'
   */
  readonly groupName?: string;
  /**
   * Which Region's voice connector takes calls first.
   * @default 'us-east-1'
   */
  readonly preferredRegion?: 'us-east-1' | 'us-west-2';
}

/**
 * Two voice connectors in two Regions and one group that sends calls to the us-east-1 connector
 * first and fails over to the us-west-2 one when it is unavailable. The group routes the phone
 * numbers of the `phoneNumbers` context value, if one is given.
 */
export class TelephonyStack extends Stack {
  public readonly group: VoiceConnectorGroup;

  constructor(scope: Construct, id: string, props: TelephonyStackProps = {}) {
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
    const eastFirst = (props.preferredRegion ?? 'us-east-1') === 'us-east-1';
    this.group = new VoiceConnectorGroup(this, 'FailoverGroup', {
      voiceConnectorGroupName: props.groupName ?? 'pbx-failover',
      voiceConnectorItems: [
        { voiceConnector: primary, priority: eastFirst ? 1 : 2 },
        { voiceConnector: secondary, priority: eastFirst ? 2 : 1 },
      ],
      phoneNumbers: phoneNumbersFromContext(this),
    });
  }
}
