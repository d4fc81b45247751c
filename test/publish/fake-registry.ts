import nock from 'nock';

export const TOKEN = 'vc-T0KEN-s3cr3t-abcdef123456';

export interface FakeProvider {
  name: string;
  architecture: string;
  checksum: string | null;
  checksum_type: string | null;
  hosted: boolean;
  hosted_token: string | null;
  download_url: string;
}
export interface FakeVersion {
  version: string;
  status: 'unreleased' | 'active' | 'revoked';
  providers: FakeProvider[];
}

let counter = 0;

/**
 * An in-memory Vagrant Cloud v2 API behind nock: box, versions, providers, direct and plain
 * uploads, callbacks and release, with the answers the docs describe. Records every call.
 */
export class FakeRegistry {
  readonly api: string;
  readonly storage: string;
  readonly org = 'acme';
  readonly name = 'web';
  box: { versions: FakeVersion[] } | undefined;
  /** `METHOD path` of every call that reached the fake (not the injected failures). */
  readonly calls: string[] = [];
  /** Authorization headers seen, by host kind. */
  readonly auth: { api: (string | undefined)[]; storage: (string | undefined)[] } = { api: [], storage: [] };
  /** Uploaded bodies by upload id. */
  readonly uploads = new Map<string, string>();
  /** Override of the callback URL host (to test callbacks naming another host). */
  callbackHost?: string;
  /** Extra text the API puts in its 401 errors (to test redaction of echoed tokens). */
  echo401 = '';

  constructor() {
    counter += 1;
    this.api = `https://vc-${counter}.test`;
    this.storage = `https://storage-${counter}.test`;
  }

  /** One-shot failure answered before the fake sees the request. Register before {@link install}. */
  fail(method: string, path: string | RegExp, failure: number | 'reset', body: unknown = { errors: ['Internal error'], success: false }, host = this.api): this {
    const scope = nock(host).intercept(path, method);
    if (failure === 'reset') scope.replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    else scope.reply(failure, body as nock.Body);
    return this;
  }

  /** Installs the persistent handlers. */
  install(): this {
    const self = this;
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      nock(this.api)
        .persist()
        .intercept(/.*/, method)
        .reply(function (uri, body) {
          self.auth.api.push(this.req.headers.authorization as string | undefined);
          return self.handle(method, uri, body, this.req.headers.authorization as string | undefined);
        });
    }
    nock(this.storage)
      .persist()
      .put(/.*/)
      .reply(function (uri, body) {
        self.auth.storage.push(this.req.headers.authorization as string | undefined);
        self.calls.push(`PUT storage${new URL(uri, 'http://x').pathname}`);
        const id = new URL(uri, 'http://x').pathname.split('/').pop() as string;
        self.uploads.set(id, typeof body === 'string' ? body : JSON.stringify(body));
        if (uri.startsWith('/plain/')) self.markHosted(id);
        return [200, ''];
      });
    return this;
  }

  /** Number of calls matching `METHOD path-regex`. */
  count(pattern: RegExp): number {
    return this.calls.filter((c) => pattern.test(c)).length;
  }

  version(v: string): FakeVersion | undefined {
    return this.box?.versions.find((x) => x.version === v);
  }

  /** Presets: a box, with versions. */
  withBox(versions: FakeVersion[] = []): this {
    this.box = { versions };
    return this;
  }

  provider(checksum: string, uploaded: boolean, name = 'libvirt'): FakeProvider {
    return {
      name, architecture: 'amd64', checksum, checksum_type: 'sha256', hosted: uploaded, hosted_token: uploaded ? 'ht-preset' : null,
      download_url: `${this.api}/${this.org}/boxes/${this.name}/versions/x/providers/${name}/amd64/vagrant.box`,
    };
  }

  private pending = new Map<string, FakeProvider>();

  private markHosted(id: string): void {
    const p = this.pending.get(id);
    if (p) {
      p.hosted = true;
      p.hosted_token = `ht-${id}`;
    }
  }

  private handle(method: string, uri: string, body: unknown, auth: string | undefined): [number, unknown] {
    const path = new URL(uri, 'http://x').pathname;
    this.calls.push(`${method} ${path}`);
    if (auth !== `Bearer ${TOKEN}`) return [401, { errors: [`Invalid access token${this.echo401}`], success: false }];
    const json = (typeof body === 'string' && body ? JSON.parse(body) : body) as Record<string, Record<string, unknown>>;
    const notFound: [number, unknown] = [404, { errors: ['Resource not found!'], success: false }];
    const boxBase = `/api/v2/box/${this.org}/${this.name}`;
    const boxJson = () => ({ tag: `${this.org}/${this.name}`, versions: this.box!.versions });

    if (path === '/api/v2/boxes' && method === 'POST') {
      if (this.box) return [422, { errors: ['Type has already been taken'], success: false }];
      if (json.box?.username !== this.org || json.box?.name !== this.name) return [404, { errors: ['Organization not found'], success: false }];
      this.box = { versions: [] };
      return [201, boxJson()];
    }
    if (!path.startsWith(boxBase)) return notFound;
    const rest = path.slice(boxBase.length);
    if (rest === '' && method === 'GET') return this.box ? [200, boxJson()] : notFound;
    if (!this.box) return notFound;
    if (rest === '/versions' && method === 'POST') {
      const v = String(json.version?.version);
      if (this.version(v)) return [422, { errors: ['Version has already been taken'], success: false }];
      if (!/^\d+\.\d+\.\d+/.test(v)) return [422, { errors: ['Version is invalid'], success: false }];
      const created: FakeVersion = { version: v, status: 'unreleased', providers: [] };
      this.box.versions.push(created);
      return [201, created];
    }
    const m = /^\/version\/([^/]+)(.*)$/.exec(rest);
    if (!m) return notFound;
    const ver = this.version(decodeURIComponent(m[1]!));
    if (!ver) return notFound;
    const vrest = m[2]!;
    if (vrest === '' && method === 'GET') return [200, ver];
    if (vrest === '/release' && method === 'PUT') {
      if (ver.status !== 'unreleased') return [422, { errors: ['This version is already released'], success: false }];
      ver.status = 'active';
      return [200, ver];
    }
    if (vrest === '/providers' && method === 'POST') {
      const p = json.provider as Record<string, unknown>;
      if (ver.providers.some((x) => x.name === p.name && x.architecture === p.architecture)) return [422, { errors: ['Provider has already been taken'], success: false }];
      const created: FakeProvider = {
        name: String(p.name), architecture: String(p.architecture), checksum: String(p.checksum), checksum_type: String(p.checksum_type), hosted: false, hosted_token: null,
        download_url: `${this.api}/${this.org}/boxes/${this.name}/versions/${ver.version}/providers/${String(p.name)}/${String(p.architecture)}/vagrant.box`,
      };
      ver.providers.push(created);
      return [201, created];
    }
    const pm = /^\/provider\/([^/]+)\/([^/]+)(.*)$/.exec(vrest);
    if (!pm) return notFound;
    const prov = ver.providers.find((x) => x.name === pm[1] && x.architecture === pm[2]);
    if (!prov) return notFound;
    const prest = pm[3]!;
    if (prest === '' && method === 'GET') return [200, prov];
    if (prest === '' && method === 'PUT') {
      if (ver.status !== 'unreleased') return [422, { errors: ['Cannot change a released version'], success: false }];
      Object.assign(prov, { checksum: json.provider?.checksum, checksum_type: json.provider?.checksum_type });
      return [200, prov];
    }
    if (prest === '/upload/direct' && method === 'GET') {
      const id = `u${this.pending.size + 1}`;
      this.pending.set(id, prov);
      const cbHost = this.callbackHost ?? this.api;
      return [200, { upload_path: `${this.storage}/bucket/${id}?X-Signature=SIGNED-SECRET`, callback: `${cbHost}${boxBase}${m[0].slice(0, 0)}/version/${ver.version}/provider/${prov.name}/${prov.architecture}/upload/direct/${id}` }];
    }
    if (prest === '/upload' && method === 'GET') {
      const id = `p${this.pending.size + 1}`;
      this.pending.set(id, prov);
      return [200, { upload_path: `${this.storage}/plain/${id}` }];
    }
    const cb = /^\/upload\/direct\/([^/]+)$/.exec(prest);
    if (cb && method === 'PUT') {
      if (!this.uploads.has(cb[1]!)) return [422, { errors: ['Upload not found'], success: false }];
      this.markHosted(cb[1]!);
      return [200, prov];
    }
    return notFound;
  }
}
