#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { telephonyStacks } from './telephony-app';

telephonyStacks(new App());
