import { run } from '../../cli/main';
import { LOCAL_CREDENTIALS } from '../../local/driver';
import { Fixture, startFixture, stopFixture, writeAssembly } from '../local/assembly';

/**
 * The command's progress line: one per stack on stderr when it is a terminal, never with --json.
 * Run in this process (a child's stderr is no terminal), with the SDK pointed at the local
 * CloudFormation through its standard variables.
 */
jest.setTimeout(30_000);

let fixture: Fixture;
const saved = { ...process.env };
beforeAll(async () => {
  fixture = await startFixture();
  Object.assign(process.env, fixture.cfn.api.env(), fixture.endpoint.env(), {
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });
  const app = writeAssembly(fixture.root, [{ name: 'First', resources: {} }, { name: 'Second', resources: {} }]);
  expect((await fixture.cfn.deployApp(app)).ok).toBe(true);
});
afterAll(async () => {
  process.env = saved;
  await stopFixture(fixture);
});

async function ran(argv: string[], progress: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await run(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), progress });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

it('writes a progress line per stack to stderr on a terminal, and none otherwise or with --json', async () => {
  const stacks = ['drift', '--stack', 'First', '--stack', 'Second'];

  const terminal = await ran(stacks, true);
  const piped = await ran(stacks, false);
  const json = await ran([...stacks, '--json'], true);

  expect(terminal).toMatchObject({ status: 0, stderr: 'Checking stack First in us-east-1…\nChecking stack Second in us-east-1…\n' });
  expect(terminal.stdout).toContain('| First  | (no voice connector groups) |');
  expect(piped).toMatchObject({ status: 0, stderr: '', stdout: terminal.stdout });
  expect(json).toMatchObject({ status: 0, stderr: '' });
  expect(JSON.parse(json.stdout).stacks.map((s: { stack: string }) => s.stack)).toEqual(['First', 'Second']);
});
