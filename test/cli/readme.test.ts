import * as fs from 'fs';
import * as path from 'path';
import { DRIFT_READ_ACTIONS, DRIFT_REVERT_ACTIONS } from '../../lib/rules';

/** The README's policies for the drift command are the action lists the command is tested with. */
const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Drift'), readme.indexOf('\n## ', readme.indexOf('## Drift') + 1));
const policies = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as { Version: string; Statement: { Effect: string; Action: string[]; Resource: string }[] });

it('has a Drift section with the policy to run the command and the one to revert with it', () => {
  expect(section).toMatch(/^## Drift/);
  expect(policies).toHaveLength(2);
});

it.each([
  ['reading', 0, DRIFT_READ_ACTIONS],
  ['reverting (on top of reading)', 1, DRIFT_REVERT_ACTIONS],
])('lists exactly the actions of %s, on every resource', (_case, index, actions) => {
  const policy = policies[index];
  expect(policy.Version).toBe('2012-10-17');
  expect(policy.Statement).toEqual([{ Effect: 'Allow', Action: [...actions], Resource: '*' }]);
});
