import { VoiceConnectorAwsRegion } from '@aws-sdk/client-chime-sdk-voice';
import { regionWarning, VOICE_CONNECTOR_REGIONS } from '../../lib/rules';

describe('Regions', () => {
  it("lists exactly the Amazon Chime SDK Voice API's VoiceConnectorAwsRegion enum", () => {
    expect([...VOICE_CONNECTOR_REGIONS].sort()).toEqual(Object.values(VoiceConnectorAwsRegion).sort());
  });

  it.each<[string, string | undefined]>([
    ['us-east-1', undefined],
    ['ap-southeast-2', undefined],
    [
      'us-west-9',
      "apiRegion: 'us-west-9' is not a Region where Amazon Chime SDK Voice has voice connectors " +
        '(ap-northeast-1, ap-northeast-2, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, us-east-1, us-west-2); ' +
        'use one of them, or ignore this warning if AWS has added the Region since',
    ],
  ])('warns about %s as it should', (region, message) => {
    expect(regionWarning('apiRegion', region)).toBe(message);
  });
});
