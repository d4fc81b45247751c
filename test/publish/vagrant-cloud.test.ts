import test from 'ava';
import nock from 'nock';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isBoxwrightError } from '../../lib/errors.js';
import type { PublishEvent } from '../../lib/publish/events.js';
import { RegistryHttpError } from '../../lib/publish/http.js';
import { publishToVagrantCloud, type VagrantCloudPublishOptions } from '../../lib/publish/vagrant-cloud.js';
import { FakeRegistry, TOKEN } from './fake-registry.js';
import { fakeBox, sha256, tempDir } from './helpers.js';

// nock is global: run serially and clean after each test.
const serial = test.serial;
test.before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
test.afterEach.always(() => nock.cleanAll());
test.after.always(() => nock.enableNetConnect());

async function boxFile(t: { teardown: (fn: () => Promise<void>) => void }, content = 'the box bytes') {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  await mkdir(join(dir, 'out'));
  return fakeBox(join(dir, 'out'), { version: '1.0.0', content });
}

function options(reg: FakeRegistry, file: string, extra: Partial<VagrantCloudPublishOptions> = {}): VagrantCloudPublishOptions & { events: PublishEvent[] } {
  const events: PublishEvent[] = [];
  return {
    box: `${reg.org}/${reg.name}`, apiUrl: reg.api, token: TOKEN, file, provider: 'libvirt', version: '1.0.0',
    retryDelayMs: 1, maxRetryDelayMs: 5, onEvent: (e) => events.push(e), events, ...extra,
  };
}

const FULL_FLOW = [
  'GET /api/v2/box/acme/web',
  'POST /api/v2/boxes',
  'GET /api/v2/box/acme/web/version/1.0.0',
  'POST /api/v2/box/acme/web/versions',
  'GET /api/v2/box/acme/web/version/1.0.0/provider/libvirt/amd64',
  'POST /api/v2/box/acme/web/version/1.0.0/providers',
  'GET /api/v2/box/acme/web/version/1.0.0/provider/libvirt/amd64/upload/direct',
  'PUT storage/bucket/u1',
  'PUT /api/v2/box/acme/web/version/1.0.0/provider/libvirt/amd64/upload/direct/u1',
  'PUT /api/v2/box/acme/web/version/1.0.0/release',
];

serial('a new box is created, versioned, given a provider, uploaded directly and released', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  const opts = options(reg, box.path);
  const r = await publishToVagrantCloud(opts);
  t.deepEqual(reg.calls, FULL_FLOW);
  t.deepEqual(r, { version: '1.0.0', provider: 'libvirt', checksum: box.sha256, url: `${reg.api}/acme/boxes/web/versions/1.0.0/providers/libvirt/amd64/vagrant.box`, noop: false });
  t.is(reg.version('1.0.0')?.status, 'active');
  const p = reg.version('1.0.0')!.providers[0]!;
  t.like(p, { checksum: box.sha256, checksum_type: 'sha256', architecture: 'amd64', hosted: true });
  t.is(sha256(Buffer.from(reg.uploads.get('u1') ?? '', 'hex')), box.sha256, 'the box file itself was uploaded');
  t.true(reg.auth.api.every((a) => a === `Bearer ${TOKEN}`));
  t.deepEqual(reg.auth.storage, [undefined], 'the token is never sent to the storage host');
  t.deepEqual(
    opts.events.filter((e) => e.type === 'step').map((e) => e.type === 'step' && `${e.step}:${e.action}`),
    ['verify:done', 'box:created', 'version:created', 'provider:created', 'upload:done', 'release:done'],
  );
});

serial('a box that exists without the version gets only version, provider, upload and release', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().withBox().install();
  await publishToVagrantCloud(options(reg, box.path));
  t.deepEqual(reg.calls, FULL_FLOW.filter((c) => c !== 'POST /api/v2/boxes'));
});

serial('a version created without provider is completed, not created again', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().withBox([{ version: '1.0.0', status: 'unreleased', providers: [] }]).install();
  await publishToVagrantCloud(options(reg, box.path));
  t.is(reg.count(/^POST \/api\/v2\/boxes/), 0);
  t.is(reg.count(/^POST .*\/versions$/), 0);
  t.is(reg.count(/^POST .*\/providers$/), 1);
  t.is(reg.version('1.0.0')?.status, 'active');
});

serial('a provider created but not uploaded is uploaded and released', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  reg.withBox([{ version: '1.0.0', status: 'unreleased', providers: [reg.provider(box.sha256, false)] }]).install();
  const opts = options(reg, box.path);
  await publishToVagrantCloud(opts);
  t.is(reg.count(/^POST /), 0);
  t.is(reg.count(/^PUT storage/), 1);
  t.is(reg.count(/release$/), 1);
  t.true(opts.events.some((e) => e.type === 'step' && e.step === 'provider' && e.action === 'found'));
});

serial('an uploaded but unreleased version is only released', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  reg.withBox([{ version: '1.0.0', status: 'unreleased', providers: [reg.provider(box.sha256, true)] }]).install();
  const opts = options(reg, box.path);
  await publishToVagrantCloud(opts);
  t.is(reg.count(/^POST /), 0);
  t.is(reg.count(/upload/), 0);
  t.is(reg.count(/^PUT .*\/release$/), 1);
  t.true(opts.events.some((e) => e.type === 'step' && e.step === 'upload' && e.action === 'skipped'));
});

serial('a provider with another checksum on an unreleased version is updated and uploaded again', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  reg.withBox([{ version: '1.0.0', status: 'unreleased', providers: [reg.provider('b'.repeat(64), true)] }]).install();
  await publishToVagrantCloud(options(reg, box.path));
  t.is(reg.count(/^PUT \/api\/v2\/box\/acme\/web\/version\/1\.0\.0\/provider\/libvirt\/amd64$/), 1);
  t.is(reg.count(/^PUT storage/), 1);
  t.is(reg.version('1.0.0')!.providers[0]!.checksum, box.sha256);
  t.is(reg.version('1.0.0')!.status, 'active');
});

serial('a released version is refused with a conflict that says to bump', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  reg.withBox([{ version: '1.0.0', status: 'active', providers: [reg.provider('c'.repeat(64), true)] }]).install();
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path)));
  t.true(isBoxwrightError(error, 'E_PUBLISH_CONFLICT'));
  t.regex(error!.message, /already released.*bump/);
  t.is(reg.count(/^(POST|PUT)/), 0);
});

serial('a revoked version is refused', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().withBox([{ version: '1.0.0', status: 'revoked', providers: [] }]).install();
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path)));
  t.true(isBoxwrightError(error, 'E_PUBLISH_CONFLICT'));
  t.regex(error!.message, /revoked/);
});

serial('a released version that already holds this box is a no-op', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  reg.withBox([{ version: '1.0.0', status: 'active', providers: [reg.provider(box.sha256, true)] }]).install();
  const r = await publishToVagrantCloud(options(reg, box.path));
  t.true(r.noop);
  t.is(reg.count(/^(POST|PUT)/), 0);
});

serial('bump starts from the latest version the registry lists', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  reg.withBox([{ version: '1.2.0', status: 'active', providers: [] }, { version: '1.10.3', status: 'active', providers: [] }]).install();
  const r = await publishToVagrantCloud(options(reg, box.path, { version: undefined, bump: 'minor' }));
  t.is(r.version, '1.11.0');
  t.is(reg.version('1.11.0')?.status, 'active');
});

const STEPS: [string, string, RegExp][] = [
  ['create box', 'POST', /^\/api\/v2\/boxes$/],
  ['create version', 'POST', /\/versions$/],
  ['create provider', 'POST', /\/providers$/],
  ['get upload URL', 'GET', /\/upload\/direct$/],
  ['upload callback', 'PUT', /\/upload\/direct\/[^/]+$/],
  ['release', 'PUT', /\/release$/],
];

for (const [step, method, path] of STEPS) {
  serial(`an interruption at "${step}" is completed by running again, without duplicates`, async (t) => {
    const box = await boxFile(t);
    const reg = new FakeRegistry().fail(method, path, 'reset').install();
    const first = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path, { maxAttempts: 1 })));
    t.true(isBoxwrightError(first, 'E_PUBLISH'), first?.message);
    t.regex(first!.message, /network error.*resumes/);
    const r = await publishToVagrantCloud(options(reg, box.path, { maxAttempts: 1 }));
    t.false(r.noop);
    t.is(reg.count(/^POST \/api\/v2\/boxes$/), 1);
    t.is(reg.count(/^POST .*\/versions$/), 1);
    t.is(reg.count(/^POST .*\/providers$/), 1);
    t.is(reg.box!.versions.length, 1);
    t.is(reg.version('1.0.0')!.providers.length, 1);
    t.is(reg.version('1.0.0')!.status, 'active');
    t.true(reg.version('1.0.0')!.providers[0]!.hosted);
  });
}

serial('an interruption during the upload itself is completed by running again', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  reg.fail('PUT', /\/bucket\//, 'reset', undefined, reg.storage).install();
  await t.throwsAsync(publishToVagrantCloud(options(reg, box.path, { maxAttempts: 1 })));
  t.is(reg.version('1.0.0')!.status, 'unreleased');
  await publishToVagrantCloud(options(reg, box.path, { maxAttempts: 1 }));
  t.is(reg.count(/^PUT storage/), 1);
  t.is(reg.version('1.0.0')!.status, 'active');
});

serial('a second run after success is a no-op', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  await publishToVagrantCloud(options(reg, box.path));
  const before = reg.calls.length;
  const r = await publishToVagrantCloud(options(reg, box.path));
  t.true(r.noop);
  t.is(reg.calls.slice(before).filter((c) => !c.startsWith('GET')).length, 0);
});

serial('a create whose answer was lost is found on retry instead of duplicated', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  // The registry creates the version but the answer is lost (503); the retried POST gets 422.
  nock(reg.api).post(/\/versions$/).reply(function (uri, body) {
    reg.version('1.0.0') ?? reg.box!.versions.push({ version: (body as { version: { version: string } }).version.version, status: 'unreleased', providers: [] });
    return [503, { errors: ['upstream timeout'] }];
  });
  reg.withBox().install();
  await publishToVagrantCloud(options(reg, box.path));
  t.is(reg.box!.versions.length, 1);
  t.is(reg.version('1.0.0')!.status, 'active');
});

serial('a release whose answer was lost is accepted when the version is active', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  nock(reg.api).put(/\/release$/).reply(() => {
    reg.version('1.0.0')!.status = 'active';
    return [502, 'Bad gateway'];
  });
  reg.install();
  const r = await publishToVagrantCloud(options(reg, box.path));
  t.false(r.noop);
  t.is(reg.version('1.0.0')!.status, 'active');
});

serial('500, 503 and ECONNRESET are retried with backoff, then the publish succeeds', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry()
    .fail('GET', '/api/v2/box/acme/web', 500)
    .fail('GET', '/api/v2/box/acme/web', 503)
    .fail('GET', '/api/v2/box/acme/web', 'reset')
    .install();
  const opts = options(reg, box.path, { maxAttempts: 4 });
  const r = await publishToVagrantCloud(opts);
  t.false(r.noop);
  const retries = opts.events.filter((e) => e.type === 'log' && /retry/.test(e.message));
  t.is(retries.length, 3);
  t.regex(retries[0]!.message, /HTTP 500.*retry 2\/4/);
  t.regex(retries[1]!.message, /HTTP 503/);
  t.regex(retries[2]!.message, /network error/);
  t.is(reg.version('1.0.0')!.status, 'active');
});

serial('retries give up after maxAttempts with E_REGISTRY_HTTP and the status', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().fail('GET', '/api/v2/box/acme/web', 503, { errors: ['Maintenance'] }).fail('GET', '/api/v2/box/acme/web', 503, { errors: ['Maintenance'] }).install();
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path, { maxAttempts: 2 })));
  t.true(error instanceof RegistryHttpError);
  t.is((error as RegistryHttpError).status, 503);
  t.regex(error!.message, /HTTP 503 after 2 attempts: Maintenance/);
});

serial('a 401 quotes the API errors and names the token', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path, { token: 'wrong-token-value' })));
  t.true(isBoxwrightError(error, 'E_REGISTRY_HTTP'));
  t.is((error as RegistryHttpError).status, 401);
  t.regex(error!.message, /HTTP 401: Invalid access token.*VAGRANT_CLOUD_TOKEN/);
  t.notRegex(error!.message, /--token/, 'probe 14: the hint names the real env var, not a nonexistent --token flag');
  t.is(reg.calls.length, 1, '401 is not retried');
});

serial('a 404 on create quotes the API errors and names the box', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path, { box: 'nobody/web' })));
  t.true(isBoxwrightError(error, 'E_REGISTRY_HTTP'));
  t.is((error as RegistryHttpError).status, 404);
  t.regex(error!.message, /POST .*\/api\/v2\/boxes with HTTP 404: Organization not found.*ORG\/NAME/);
});

serial('a 422 quotes the API errors', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().withBox().fail('POST', /\/versions$/, 422, { errors: ['Version is invalid', 'Description is too long'], success: false }).install();
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path)));
  t.is((error as RegistryHttpError).status, 422);
  t.regex(error!.message, /HTTP 422: Version is invalid; Description is too long/);
  t.is((error as RegistryHttpError).apiErrors, 'Version is invalid; Description is too long');
});

function serialize(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  if (seen.has(value)) return '"[circular]"';
  seen.add(value);
  const out: Record<string, string> = {};
  for (const key of Object.getOwnPropertyNames(value)) out[key] = serialize((value as Record<string, unknown>)[key], seen);
  return JSON.stringify(out);
}

serial('the token never appears in any error, cause or event', async (t) => {
  const box = await boxFile(t);
  const seen: string[] = [];
  // 1. the API echoes the token in its 401 errors
  {
    const reg = new FakeRegistry();
    reg.echo401 = `: ${TOKEN.replace('T0KEN', 'T0KEN')}`;
    nock(reg.api).get('/api/v2/box/acme/web').reply(401, { errors: [`Invalid access token ${TOKEN}`] });
    const opts = options(reg, box.path);
    const e = await t.throwsAsync(publishToVagrantCloud(opts));
    seen.push(serialize(e), JSON.stringify(opts.events));
    t.regex(e!.message, /\[REDACTED\]/);
  }
  // 2. network errors whose messages carry the token, retried then given up
  {
    const reg = new FakeRegistry();
    for (let i = 0; i < 3; i++) nock(reg.api).get('/api/v2/box/acme/web').replyWithError({ code: 'ECONNRESET', message: `reset while sending Authorization: Bearer ${TOKEN}` });
    const opts = options(reg, box.path, { maxAttempts: 3 });
    const e = await t.throwsAsync(publishToVagrantCloud(opts));
    t.true(isBoxwrightError(e, 'E_PUBLISH'));
    t.truthy((e as Error).cause);
    seen.push(serialize(e), JSON.stringify(opts.events));
  }
  // 3. a 500 body echoing the token, retried, and a full successful run's events
  {
    const reg = new FakeRegistry().fail('GET', '/api/v2/box/acme/web', 500, { errors: [`boom ${encodeURIComponent(TOKEN)}`] }).install();
    const opts = options(reg, box.path);
    await publishToVagrantCloud(opts);
    seen.push(JSON.stringify(opts.events));
  }
  // 4. a composite VC;HCP token: neither half leaks
  {
    const reg = new FakeRegistry();
    nock(reg.api).get('/api/v2/box/acme/web').reply(403, { errors: ['bad parts vc-part-1234 and hcp-part-5678'] });
    const opts = options(reg, box.path, { token: 'vc-part-1234;hcp-part-5678' });
    const e = await t.throwsAsync(publishToVagrantCloud(opts));
    const text = serialize(e) + JSON.stringify(opts.events);
    t.false(text.includes('vc-part-1234'));
    t.false(text.includes('hcp-part-5678'));
  }
  for (const text of seen) {
    t.false(text.includes(TOKEN), text);
    t.false(text.includes(encodeURIComponent(TOKEN)));
  }
  t.false(seen.join('').includes('SIGNED-SECRET'), 'signed upload URLs stay out too');
});

serial('a bad checksum is refused before any request', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path, { checksum: 'f'.repeat(64) })));
  t.true(isBoxwrightError(error, 'E_CHECKSUM'));
  t.deepEqual(reg.calls, []);
});

serial('a box name without an organization is refused before any request', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path, { box: 'justname' })));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'));
  t.is((error as { path?: string }).path, 'box');
  t.deepEqual(reg.calls, []);
});

serial('plain upload is used when direct upload is off', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  await publishToVagrantCloud(options(reg, box.path, { directUpload: false }));
  t.is(reg.count(/\/upload$/), 1);
  t.is(reg.count(/upload\/direct/), 0);
  t.is(reg.version('1.0.0')!.status, 'active');
  t.true(reg.version('1.0.0')!.providers[0]!.hosted);
});

serial('a callback naming another host is sent to the API host with the token', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry();
  reg.callbackHost = 'https://elsewhere.test';
  reg.install();
  await publishToVagrantCloud(options(reg, box.path));
  t.is(reg.count(/upload\/direct\/u1$/), 1);
  t.is(reg.version('1.0.0')!.status, 'active');
});

serial('the token is read from VAGRANT_CLOUD_TOKEN when not given', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  const saved = process.env.VAGRANT_CLOUD_TOKEN;
  process.env.VAGRANT_CLOUD_TOKEN = TOKEN;
  t.teardown(() => {
    if (saved === undefined) delete process.env.VAGRANT_CLOUD_TOKEN;
    else process.env.VAGRANT_CLOUD_TOKEN = saved;
  });
  await publishToVagrantCloud(options(reg, box.path, { token: undefined }));
  t.is(reg.version('1.0.0')!.status, 'active');
});

serial('no token at all is a usage error naming VAGRANT_CLOUD_TOKEN', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  const saved = { ...process.env };
  delete process.env.VAGRANT_CLOUD_TOKEN;
  delete process.env.HCP_CLIENT_ID;
  delete process.env.HCP_CLIENT_SECRET;
  t.teardown(() => Object.assign(process.env, saved));
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path, { token: undefined })));
  t.true(isBoxwrightError(error, 'E_USAGE'));
  t.regex(error!.message, /VAGRANT_CLOUD_TOKEN/);
  t.deepEqual(reg.calls, []);
});

serial('an HCP service principal token is fetched when only HCP_CLIENT_ID and HCP_CLIENT_SECRET are set', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  let form = '';
  nock('https://auth.idp.hashicorp.com').post('/oauth2/token', (body) => {
    form = typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>).toString();
    return true;
  }).reply(200, { access_token: TOKEN, expires_in: 3600, token_type: 'Bearer' });
  const saved = { ...process.env };
  delete process.env.VAGRANT_CLOUD_TOKEN;
  process.env.HCP_CLIENT_ID = 'client-id-1';
  process.env.HCP_CLIENT_SECRET = 'client-secret-xyz';
  t.teardown(() => {
    for (const k of ['VAGRANT_CLOUD_TOKEN', 'HCP_CLIENT_ID', 'HCP_CLIENT_SECRET']) delete process.env[k];
    Object.assign(process.env, saved);
  });
  await publishToVagrantCloud(options(reg, box.path, { token: undefined }));
  const params = new URLSearchParams(form);
  t.is(params.get('grant_type'), 'client_credentials');
  t.is(params.get('client_id'), 'client-id-1');
  t.is(params.get('client_secret'), 'client-secret-xyz');
  t.is(params.get('audience'), 'https://api.hashicorp.cloud');
  t.true(reg.auth.api.every((a) => a === `Bearer ${TOKEN}`));
  t.is(reg.version('1.0.0')!.status, 'active');
});

serial('HCP auth failures keep the client secret out of the error', async (t) => {
  const { getHcpToken } = await import('../../lib/publish/hcp.js');
  nock('https://auth.idp.hashicorp.com').post('/oauth2/token').reply(401, { error: 'invalid_client client-secret-xyz' });
  const error = await t.throwsAsync(getHcpToken('id', 'client-secret-xyz', { retryDelayMs: 1 }));
  t.true(isBoxwrightError(error, 'E_REGISTRY_HTTP'));
  t.regex(error!.message, /invalid_client/);
  t.false(serialize(error).includes('client-secret-xyz'));
});

serial('a cancelled publish stops with E_CANCELLED', async (t) => {
  const box = await boxFile(t);
  const reg = new FakeRegistry().install();
  const controller = new AbortController();
  controller.abort();
  const error = await t.throwsAsync(publishToVagrantCloud(options(reg, box.path, { signal: controller.signal })));
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
});

