import { Construct } from 'constructs';
import { crossRegionTelephony } from './cross-region';
import { TelephonyStack } from './telephony-stack';

/**
 * Every stack of the example app, in the app or in a pipeline's Stage. Regions are fixed so each
 * group's API Region and the connectors' Regions are known at synth; the account comes from the
 * deploying credentials, or from the Stage.
 */
export function telephonyStacks(scope: Construct) {
  const telephony = new TelephonyStack(scope, 'ChimeTelephonyStack', { env: { region: 'us-east-1' } });
  return { telephony, ...crossRegionTelephony(scope) };
}
