#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { TelephonyStack } from './telephony-stack';

const app = new App();
// The Region is fixed so the group's API Region and the connectors' Regions are known at synth;
// the account comes from the deploying credentials.
new TelephonyStack(app, 'ChimeTelephonyStack', { env: { region: 'us-east-1' } });
