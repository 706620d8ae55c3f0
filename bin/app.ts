#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { crossRegionTelephony } from './cross-region';
import { TelephonyStack } from './telephony-stack';

const app = new App();
// Regions are fixed so each group's API Region and the connectors' Regions are known at synth;
// the account comes from the deploying credentials.
new TelephonyStack(app, 'ChimeTelephonyStack', { env: { region: 'us-east-1' } });
crossRegionTelephony(app);
