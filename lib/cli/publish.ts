import { BoxwrightError } from '../errors.js';
import { findBoxes, publishBoxes, type PublishOptions } from '../publish/index.js';
import { choice, parseArgs, stringFlag } from './args.js';
import { fromPublishEvent, writeEvent } from './events.js';

/** Help text of `boxwright publish`. */
export const PUBLISH_HELP = `Usage:
  boxwright publish <box or out-dir> --catalog DIR --base-url URL [--version V | --bump patch|minor|major] [--architecture A] [-f|--force] [--json]
  boxwright publish <box or out-dir> --catalog-url https://host/path/ [--base-url URL] [--single-writer] [...]
  boxwright publish <box or out-dir> --catalog-url s3://bucket/prefix/ --base-url URL [--single-writer] [...]
  boxwright publish <box or out-dir> --registry vagrant-cloud --box ORG/NAME [--api-url URL] [--version V | --bump LEVEL] [--private] [--json]

Catalogs (what \`vagrant box add <base-url>/metadata.json\` reads): the box goes first, under a
name that carries its sha256, then metadata.json, written only if nobody changed it meanwhile
(re-read and merged otherwise), so concurrent publishes never lose each other's entries.
  --catalog DIR        a local folder any web server can serve
  --catalog-url URL    https://… over HTTP PUT (WebDAV, nginx dav_methods, Artifactory, Nexus raw);
                       credentials only from BOXWRIGHT_PUBLISH_TOKEN (bearer), or
                       BOXWRIGHT_PUBLISH_USER + BOXWRIGHT_PUBLISH_PASSWORD (basic auth).
                       s3://bucket/prefix/ through the AWS SDK: AWS_* credentials, AWS_REGION,
                       AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL for MinIO, Ceph, R2 (path-style);
                       large boxes go in parts and a re-run resumes them.
  --base-url URL       the public URL the catalog is served at (default: --catalog-url if https)
  --architecture A     amd64 (default), arm64, ...: one version can hold both (Vagrant >= 2.4)
  --single-writer      publish to a server that can neither write conditionally nor lock,
                       promising that no other publish runs against it meanwhile
Registry: the Vagrant Cloud API v2 flow (box, version, provider, upload, release); the token
comes from VAGRANT_CLOUD_TOKEN (or HCP_CLIENT_ID + HCP_CLIENT_SECRET), never the command line.
  Being retired: HashiCorp is shutting down the HCP Vagrant Registry (the former Vagrant Cloud).
  New boxes can no longer be created there from mid-December 2026 (the earliest date quoted is
  2026-10-01) and operations end after that (quoted: 2026-12-31, or 2027). Move to a catalog:
  see https://developer.hashicorp.com/vagrant/vagrant-cloud/hcp-vagrant/storage-providers and
  docs/publishing.md.
The box's sha256 (its .sha256 file) and its layout are checked before anything is written or
uploaded. Re-running after an interruption completes the same version without duplicates.`;

/** Runs `boxwright publish`. */
export async function publishCommand(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { positionals, flags } = parseArgs(
    argv,
    ['catalog', 'catalog-url', 'base-url', 'registry', 'box', 'api-url', 'version', 'bump', 'description', 'architecture'],
    ['force', 'private', 'json', 'single-writer'],
  );
  const [source, ...extra] = positionals;
  if (source === undefined || extra.length > 0) throw new BoxwrightError('E_USAGE', 'publish needs one box file or build output folder, e.g. out/');
  if (flags.version !== undefined && flags.bump !== undefined) throw new BoxwrightError('E_USAGE', 'give --version or --bump, not both', { path: 'version' });
  const bump = choice(flags, 'bump', ['patch', 'minor', 'major'] as const);
  const catalog = stringFlag(flags, 'catalog');
  const catalogUrl = stringFlag(flags, 'catalog-url');
  const registry = choice(flags, 'registry', ['vagrant-cloud'] as const);
  if ([catalog, catalogUrl, registry].filter((x) => x !== undefined).length !== 1) {
    throw new BoxwrightError('E_USAGE', 'give one of --catalog DIR --base-url URL, --catalog-url URL, or --registry vagrant-cloud --box ORG/NAME');
  }
  const baseUrl = stringFlag(flags, 'base-url');
  const description = stringFlag(flags, 'description');

  let target: PublishOptions['target'];
  if (catalog !== undefined) {
    if (baseUrl === undefined) throw new BoxwrightError('E_USAGE', '--catalog needs --base-url, the URL the catalog folder is served at', { path: 'base-url' });
    target = { kind: 'catalog', dir: catalog, baseUrl, ...(description ? { description } : {}) };
  } else if (catalogUrl !== undefined) {
    if (baseUrl === undefined && catalogUrl.startsWith('s3:')) throw new BoxwrightError('E_USAGE', '--catalog-url s3://… needs --base-url, the public URL the bucket prefix is served at', { path: 'base-url' });
    target = { kind: 'catalog-url', url: catalogUrl, ...(baseUrl ? { baseUrl } : {}), ...(description ? { description } : {}), ...(flags['single-writer'] === true ? { singleWriter: true } : {}) };
  } else {
    const box = stringFlag(flags, 'box');
    if (box === undefined) throw new BoxwrightError('E_USAGE', '--registry vagrant-cloud needs --box ORG/NAME', { path: 'box' });
    const apiUrl = stringFlag(flags, 'api-url');
    target = { kind: 'vagrant-cloud', box, ...(apiUrl ? { apiUrl } : {}), ...(flags.private === true ? { private: true } : {}) } as PublishOptions['target'];
    // Checked before the box is looked at or hashed (hashing a box takes a while).
    if (!process.env.VAGRANT_CLOUD_TOKEN && !(process.env.HCP_CLIENT_ID && process.env.HCP_CLIENT_SECRET)) {
      throw new BoxwrightError('E_USAGE', 'No Vagrant Cloud token: set VAGRANT_CLOUD_TOKEN (or HCP_CLIENT_ID and HCP_CLIENT_SECRET for an HCP organization).', { path: 'token' });
    }
    if (flags.json !== true) process.stderr.write('note: the HCP Vagrant Registry (Vagrant Cloud) is being retired; see boxwright publish --help for the dates and the catalogs to move to\n');
  }

  if ((await findBoxes(source)).length === 0) throw new BoxwrightError('E_USAGE', `no .box file in ${source}; build one first (boxwright build ... --out ${source})`);
  const version = stringFlag(flags, 'version');
  const architecture = stringFlag(flags, 'architecture');
  const results = await publishBoxes(source, {
    target, signal,
    ...(version ? { version } : {}), ...(bump ? { bump } : {}), ...(flags.force === true ? { force: true } : {}), ...(architecture ? { architecture } : {}),
    onEvent: (event) => {
      if (flags.json === true) writeEvent(process.stdout, fromPublishEvent(event));
      else process.stderr.write(`${event.message}\n`);
    },
  });
  for (const result of results) {
    if (flags.json === true) writeEvent(process.stdout, { command: 'publish', type: 'result', ...result });
    else process.stdout.write(`${result.noop ? 'already published' : 'published'} ${result.provider} (${result.architecture}) ${result.version} ${result.catalogUrl ?? result.url ?? ''}\n`);
  }
  return 0;
}
