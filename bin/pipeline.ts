#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { telephonyPipeline } from './pipeline-stack';

telephonyPipeline(new App());
