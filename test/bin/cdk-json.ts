/**
 * The example app's tests start from an App with cdk.json's context, as `npx cdk synth` gives it;
 * bin/cdk-json.ts holds it, so that `npm run local` (which does not import from test/) shares it.
 */
export { appWithCdkJsonContext } from '../../bin/cdk-json';
