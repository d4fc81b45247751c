import { BoxwrightError } from '../errors.js';
import { promoteDatabase } from '../lab/db-promote.js';
import { parseArgs, stringFlag } from './args.js';
import { writeEvent } from './events.js';

/** Help text of `boxwright db-promote`. */
export const DB_PROMOTE_HELP = `Usage: boxwright db-promote [--lab DIR] [--json]

For the ha lab running in DIR (default: the current folder), after its database primary db1 is
lost: makes the replica db2 the primary (stops replicating, turns read_only off) and points every
app server at it, restarting its two app instances one after the other. The lab folder remembers
the new primary (.vagrant/boxwright/state.json). Replication is semi-synchronous, so a write the
app acknowledged is on db2 already. To get a replica again, rebuild db1:
\`vagrant destroy -f db1 && vagrant up db1\` (it comes back as db2's replica).`;

/** Runs `boxwright db-promote`. */
export async function dbPromoteCommand(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { positionals, flags } = parseArgs(argv, ['lab'], ['json']);
  if (positionals.length > 0) throw new BoxwrightError('E_USAGE', `unexpected argument ${positionals[0]}`);
  const json = flags.json === true;
  const labDir = stringFlag(flags, 'lab');
  const result = await promoteDatabase({
    signal, ...(labDir ? { labDir } : {}),
    onEvent: (event) => {
      if (json) {
        const { type: _type, ...rest } = event;
        writeEvent(process.stdout, { command: 'db-promote', type: 'db-promote-step', ...rest });
      }
      process.stderr.write(`${event.message}\n`);
    },
  });
  if (json) writeEvent(process.stdout, { command: 'db-promote', type: 'result', ...result });
  else process.stdout.write(`${result.primary}\n`);
  return 0;
}
