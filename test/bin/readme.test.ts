import * as fs from 'fs';
import * as path from 'path';

const read = (file: string) => fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8');
/** The construct IDs in `new Something(this, 'Id', ...)` calls, in order. */
const constructIds = (code: string) => [...code.matchAll(/new \w+\(this, '([^']+)'/g)].map((m) => m[1]);

it("uses the construct IDs of bin/telephony-stack.ts in the README's usage snippet", () => {
  const snippet = /## Use\s+```ts\n([\s\S]*?)```/.exec(read('README.md'))![1];
  expect(constructIds(snippet)).toEqual(constructIds(read('bin/telephony-stack.ts')));
  expect(constructIds(snippet)).toEqual(['PrimaryConnector', 'SecondaryConnector', 'FailoverGroup']);
});
