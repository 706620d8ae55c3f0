import { randomInt } from 'crypto';
import * as fc from 'fast-check';
import { search } from './model';

/**
 * `npm run fuzz`: the model-based test (test/e2e/model.ts) for longer than CI runs it, with a fresh
 * seed unless one is given. Prints the seed first; on a counterexample prints it, its trace and the
 * command that replays it, and exits with 1. Never part of `npm test`.
 *
 *   npm run fuzz -- [--seed N] [--runs N] [--minutes N] [--path P --commands-path R]
 *
 * --runs     how many runs at most (default 1000)
 * --minutes  stop starting runs after this long (default 20); an interrupted search is no failure
 * --path, --commands-path  replay one counterexample, as printed after a failure
 */

function parse(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!/^--(seed|runs|minutes|path|commands-path)$/.test(key) || value === undefined) {
      throw new Error(`usage: npm run fuzz -- [--seed N] [--runs N] [--minutes N] [--path P --commands-path R]; got '${argv.join(' ')}'`);
    }
    args[key.slice(2)] = value;
  }
  return args;
}

function integer(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got '${text}'`);
  return n;
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  const seed = integer(args.seed, randomInt(1, 0x7fffffff), 'seed');
  const numRuns = integer(args.runs, 1000, 'runs');
  const minutes = Number(args.minutes ?? '20');
  if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, got '${args.minutes}'`);
  console.log(`seed ${seed}`);
  console.log(`up to ${numRuns} runs in ${minutes} min${args.path ? `, replaying path ${args.path}` : ''}`);
  const started = Date.now();
  const { details, runs, operations } = await search({
    seed,
    numRuns,
    timeLimitMs: minutes * 60_000,
    path: args.path,
    commandsPath: args['commands-path'],
    // A replay reports the counterexample as it is, without shrinking it again.
    endOnFailure: args.path !== undefined,
    onRun: (run) => {
      if (run % 10 === 0) console.log(`  property run ${run}, shrinks included (${((Date.now() - started) / 60_000).toFixed(1)} min)`);
    },
  });
  const elapsed = ((Date.now() - started) / 60_000).toFixed(1);
  if (!details.failed) {
    console.log(`passed: ${details.numRuns} runs${details.interrupted ? ' (time limit reached)' : ''}, ${runs} started, ${operations} stack operations, ${elapsed} min, seed ${seed}`);
    return 0;
  }
  const commandsPath = /replayPath="([^"]*)"/.exec(String(details.counterexample?.[1]))?.[1];
  console.log(fc.defaultReportMessage(details));
  console.log(details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance));
  console.log(`\nFAILED after ${details.numRuns} runs (${details.numShrinks} shrinks), ${operations} stack operations, ${elapsed} min, seed ${seed}`);
  console.log(`counterexample: ${fc.stringify(details.counterexample)}`);
  console.log(`replay: npm run fuzz -- --seed ${seed} --runs 1 --path '${details.counterexamplePath}'${commandsPath ? ` --commands-path '${commandsPath}'` : ''}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
