import { BoxwrightError } from '../errors.js';
import { loadImage } from '../image/load.js';
import { deployApp } from '../lab/deploy/deploy.js';
import { parseArgs, stringFlag } from './args.js';
import { writeEvent } from './events.js';

/** Help text of `boxwright deploy`. */
export const DEPLOY_HELP = `Usage: boxwright deploy <image> [--lab DIR] [--json]
       boxwright deploy --rollback [--lab DIR] [--json]

Bundles the image's app on this host exactly as a build does (same bundler, same cache), ships it
to every app machine of the lab running in DIR (default: the current folder) over the lab's own
SSH (\`vagrant ssh-config\`), and switches each machine to it without a failed request: the release
is unpacked beside the others (/opt/app/releases/<id>), \`current\` is switched by one rename, and
the machine's two app instances are restarted one after the other, each answering /healthz on
the new release before the next one goes (nginx sends requests to the one that is up). A release
that fails its health check never reaches the second instance: the machine goes back to its
previous release and deploy exits 1. --rollback puts every app machine back on its previous
release the same way. Progress on stderr; --json prints one JSON event per line on stdout.`;

/** Runs `boxwright deploy`. */
export async function deployCommand(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { positionals, flags } = parseArgs(argv, ['lab'], ['rollback', 'json']);
  const rollback = flags.rollback === true;
  const [image, ...extra] = positionals;
  if (extra.length > 0) throw new BoxwrightError('E_USAGE', `unexpected argument ${extra[0]}`);
  if (!rollback && image === undefined) throw new BoxwrightError('E_USAGE', 'deploy needs an image folder or image.json path, e.g. images/foobar-web (or --rollback)');
  const json = flags.json === true;
  const spec = image === undefined ? undefined : await loadImage(image);
  const labDir = stringFlag(flags, 'lab');
  const result = await deployApp(spec, {
    rollback, signal, ...(labDir ? { labDir } : {}),
    onEvent: (event) => {
      if (json) {
        const { type: _type, ...rest } = event;
        writeEvent(process.stdout, { command: 'deploy', type: 'deploy-step', ...rest });
      }
      process.stderr.write(`${event.message}\n`);
    },
  });
  if (json) writeEvent(process.stdout, { command: 'deploy', type: 'result', ...result });
  else process.stdout.write(`${result.release}\n`);
  return 0;
}
