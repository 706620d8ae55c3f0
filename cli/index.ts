import { run } from './main';

/**
 * The package's command, `npx cdk-chime-voice-connector-group`; cli/bundle.ts bundles it into
 * dist/cli/index.js, so the package keeps no runtime dependencies. Where to read on:
 * - main.ts: the command: each stack, each group, the comparison, the revert, the exit status;
 * - args.ts and assembly.ts: the options, and the stacks and Regions of the cloud assembly;
 * - declared.ts: what a group declares, from its template and its Metadata as CloudFormation resolved it;
 * - drift.ts: the comparison; output.ts: the table;
 * - aws.ts: every AWS call, each failure named by its IAM action.
 * The revert is the handler's own (lambda/restore.ts).
 */
run(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), progress: process.stderr.isTTY === true }).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`cdk-chime-voice-connector-group: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
