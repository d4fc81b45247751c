import { BoxwrightError } from '../errors.js';
import { findBoxes, publishBoxes, type PublishOptions } from '../publish/index.js';
import { choice, parseArgs, stringFlag } from './args.js';
import { fromPublishEvent, writeEvent } from './events.js';

/** Help text of `boxwright publish`. */
export const PUBLISH_HELP = `Usage:
  boxwright publish <box or out-dir> --catalog DIR --base-url URL [--version V | --bump patch|minor|major] [-f|--force] [--json]
  boxwright publish <box or out-dir> --registry vagrant-cloud --box ORG/NAME [--api-url URL] [--version V | --bump LEVEL] [--private] [--json]

Catalog: writes DIR/metadata.json (what \`vagrant box add URL/metadata.json\` reads) and the box.
Registry: the Vagrant Cloud API v2 flow (create box/version/provider, upload, release); the token
comes from VAGRANT_CLOUD_TOKEN, never from the command line. The box's sha256 (its .sha256 file) is
checked before anything is written or uploaded. Re-running after an interruption completes the same
version; a released version is never overwritten.`;

/** Runs `boxwright publish`. */
export async function publishCommand(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { positionals, flags } = parseArgs(argv, ['catalog', 'base-url', 'registry', 'box', 'api-url', 'version', 'bump', 'description'], ['force', 'private', 'json']);
  const [source, ...extra] = positionals;
  if (source === undefined || extra.length > 0) throw new BoxwrightError('E_USAGE', 'publish needs one box file or build output folder, e.g. out/');
  if (flags.version !== undefined && flags.bump !== undefined) throw new BoxwrightError('E_USAGE', 'give --version or --bump, not both', { path: 'version' });
  const bump = choice(flags, 'bump', ['patch', 'minor', 'major'] as const);
  const catalog = stringFlag(flags, 'catalog');
  const registry = choice(flags, 'registry', ['vagrant-cloud'] as const);
  if ((catalog === undefined) === (registry === undefined)) throw new BoxwrightError('E_USAGE', 'give either --catalog DIR --base-url URL, or --registry vagrant-cloud --box ORG/NAME');

  let target: PublishOptions['target'];
  if (catalog !== undefined) {
    const baseUrl = stringFlag(flags, 'base-url');
    if (baseUrl === undefined) throw new BoxwrightError('E_USAGE', '--catalog needs --base-url, the URL the catalog folder is served at', { path: 'base-url' });
    const description = stringFlag(flags, 'description');
    target = { kind: 'catalog', dir: catalog, baseUrl, ...(description ? { description } : {}) };
  } else {
    const box = stringFlag(flags, 'box');
    if (box === undefined) throw new BoxwrightError('E_USAGE', '--registry vagrant-cloud needs --box ORG/NAME', { path: 'box' });
    const apiUrl = stringFlag(flags, 'api-url');
    target = { kind: 'vagrant-cloud', box, ...(apiUrl ? { apiUrl } : {}), ...(flags.private === true ? { private: true } : {}) } as PublishOptions['target'];
    // Checked before the box is looked at or hashed (hashing a box takes a while).
    if (!process.env.VAGRANT_CLOUD_TOKEN && !(process.env.HCP_CLIENT_ID && process.env.HCP_CLIENT_SECRET)) {
      throw new BoxwrightError('E_USAGE', 'No Vagrant Cloud token: set VAGRANT_CLOUD_TOKEN (or HCP_CLIENT_ID and HCP_CLIENT_SECRET for an HCP organization).', { path: 'token' });
    }
  }

  if ((await findBoxes(source)).length === 0) throw new BoxwrightError('E_USAGE', `no .box file in ${source}; build one first (boxwright build ... --out ${source})`);
  const version = stringFlag(flags, 'version');
  const results = await publishBoxes(source, {
    target, signal,
    ...(version ? { version } : {}), ...(bump ? { bump } : {}), ...(flags.force === true ? { force: true } : {}),
    onEvent: (event) => {
      if (flags.json === true) writeEvent(process.stdout, fromPublishEvent(event));
      else process.stderr.write(`${event.message}\n`);
    },
  });
  for (const result of results) {
    if (flags.json === true) writeEvent(process.stdout, { command: 'publish', type: 'result', ...result });
    else process.stdout.write(`${result.noop ? 'already published' : 'published'} ${result.provider} ${result.version} ${result.catalogUrl ?? result.url ?? ''}\n`);
  }
  return 0;
}
