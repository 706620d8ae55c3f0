import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';
import { crossRegionTelephony } from './bin/cross-region';
import { TelephonyStack } from './bin/telephony-stack';
import { ApiNamespace, VoiceConnectorGroup } from './lib';
const app = new App({ outdir: '/tmp/nag-out' });
const t = new TelephonyStack(app, 'ChimeTelephonyStack', { env: { region: 'us-east-1' } });
new VoiceConnectorGroup(t, 'Legacy', { apiNamespace: ApiNamespace.CHIME });
crossRegionTelephony(app);
const asm = app.synth();
for (const s of asm.stacks) {
  const check = new App();
  const stack = new Stack(check, 'Check');
  new CfnInclude(stack, 'T', { templateFile: path.join(asm.directory, s.templateFile) });
  const report = new AwsSolutionsChecks().validateScope(check);
  for (const v of report.violations) console.log(s.stackName, v.ruleName, v.violatingResources.map((r) => r.resourceLogicalId).join(','), '|', v.description.slice(0, 90));
}
