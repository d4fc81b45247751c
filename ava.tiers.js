// The three test tiers (README "Tests"). A test file's name says its tier:
//   *.e2e.test.ts or test/e2e/**          builds or boots real VMs; titles start with [e2e]
//   *.integration.test.ts or test/integration/**   runs a real tool (packer, nginx, MariaDB,
//                                         shellcheck, vagrant, ruby, npm pack, tmux) or takes > ~2 s
//   every other *.test.ts                 a unit test: seconds for the whole tier
import { readFileSync } from 'node:fs';

const base = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).ava;

export const E2E = ['test/e2e/**/*.test.ts', 'test/**/*.e2e.test.ts'];
export const INTEGRATION = ['test/integration/**/*.test.ts', 'test/**/*.integration.test.ts'];

/** The ava config of one tier. */
export function tier(name) {
  const negate = (globs) => globs.map((glob) => `!${glob}`);
  const files = {
    unit: ['test/**/*.test.ts', ...negate(E2E), ...negate(INTEGRATION)],
    integration: [...INTEGRATION, ...negate(E2E)],
    e2e: E2E,
  }[name];
  if (!files) throw new Error(`unknown test tier ${name}`);
  return { ...base, files };
}
