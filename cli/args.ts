/** What the command line asks for. */
export interface Options {
  readonly command: 'drift' | 'help';
  /** Stacks named with --stack; empty means every stack of the app in the cloud assembly. */
  readonly stacks: string[];
  /** --region: where every stack is looked for, instead of the Region the assembly gives it. */
  readonly region?: string;
  /** --app: the cloud assembly directory. */
  readonly app: string;
  readonly profile?: string;
  readonly json: boolean;
  readonly fail: boolean;
  readonly revert: boolean;
}

export const USAGE = `Usage: npx cdk-chime-voice-connector-group drift [options]

Compares each voice connector group of the deployed stacks with what its template declares, as
CloudFormation resolved it, and prints what differs.

Options:
  --stack NAME    a deployed stack to check; repeat for more (default: every stack in cdk.out)
  --region NAME   the Region of the stacks (default: each stack's own, from cdk.out, or the SDK's)
  --app DIR       the cloud assembly to read stack names and Regions from (default: cdk.out)
  --profile NAME  the AWS profile to use (default: the SDK's usual configuration)
  --json          print the result as JSON
  --fail          exit 1 when there is drift
  --revert        put every drifted group back as declared, then check again
  --help          show this text

Exit status: 0 without drift (or with drift and no --fail), 1 with drift and --fail, 2 on error.`;

/** Reads the arguments; throws a message for anything it does not know. */
export function parseArgs(argv: readonly string[]): Options {
  const options = { command: 'drift' as Options['command'], stacks: [] as string[], app: 'cdk.out', json: false, fail: false, revert: false } as {
    -readonly [K in keyof Options]: Options[K];
  };
  const args = [...argv];
  if (args[0] === 'drift') args.shift();
  else if (args[0] === undefined || args[0] === 'help' || args[0] === '--help' || args[0] === '-h') return { ...options, command: 'help' };
  else if (!args[0].startsWith('-')) throw new Error(`unknown command '${args[0]}'; the only command is drift`);
  while (args.length > 0) {
    const arg = args.shift()!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args.shift();
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--stack':
        options.stacks.push(value());
        break;
      case '--region':
        options.region = value();
        break;
      case '--app':
        options.app = value();
        break;
      case '--profile':
        options.profile = value();
        break;
      case '--json':
      case '--fail':
      case '--revert':
        if (inline !== undefined) throw new Error(`${flag} takes no value`);
        options[flag.slice(2) as 'json' | 'fail' | 'revert'] = true;
        break;
      case '--help':
      case '-h':
        return { ...options, command: 'help' };
      default:
        throw new Error(`unknown option '${arg}'`);
    }
  }
  return options;
}
