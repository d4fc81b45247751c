import test from 'ava';
import { BoxwrightError } from '../../lib/errors.js';
import { renderTemplate, type RenderContext } from '../../lib/render/mustache.js';

const context: RenderContext = { hostname: 'www.foobar.com', port: 3000, enabled: true, disabled: false, spaced: 'two words', quote: "it's" };

function renderError(t: import('ava').ExecutionContext, template: string, mode: 'shell' | 'config' = 'shell', values: RenderContext = context): BoxwrightError {
  const error = t.throws(() => renderTemplate(template, values, mode, 'files/site.conf'), { instanceOf: BoxwrightError });
  return error as BoxwrightError;
}

test('a key missing from the context is an error naming the key and the file', (t) => {
  const error = renderError(t, 'server_name {{serverName}};');
  t.is(error.code, 'E_RENDER');
  t.regex(error.message, /\{\{serverName\}\}/);
  t.regex(error.message, /files\/site\.conf/);
  t.regex(error.message, /hostname, port/, 'the message lists the keys that exist');
});

test('a missing key inside a section is an error too', (t) => {
  const error = renderError(t, '{{#enabled}}echo {{nope}}{{/enabled}}');
  t.regex(error.message, /\{\{nope\}\}/);
});

test('a missing key in a triple mustache or an inverted section is an error', (t) => {
  t.regex(renderError(t, '{{{nope}}}').message, /nope/);
  t.regex(renderError(t, '{{^nope}}x{{/nope}}').message, /nope/);
});

test('a section on a number is an error that names the key and its type', (t) => {
  const error = renderError(t, '{{#port}}listen{{/port}}');
  t.is(error.code, 'E_RENDER');
  t.regex(error.message, /port/);
  t.regex(error.message, /number/);
});

test('an inverted section on a string is an error', (t) => {
  const error = renderError(t, '{{^hostname}}none{{/hostname}}');
  t.regex(error.message, /hostname is a string/);
});

test('sections on booleans render their body when true and skip it when false', (t) => {
  t.is(renderTemplate('{{#enabled}}on{{/enabled}}{{#disabled}}off{{/disabled}}{{^disabled}}!{{/disabled}}', context, 'shell', 'x.sh'), 'on!');
});

test('a triple mustache with an unsafe value is refused and points at the quoted form', (t) => {
  const error = renderError(t, 'echo {{{spaced}}}');
  t.regex(error.message, /\{\{\{spaced\}\}\}/);
  t.regex(error.message, /use \{\{spaced\}\}/);
  t.regex(renderError(t, 'echo {{{quote}}}').message, /unquoted/);
});

test('a triple mustache with a safe value is inserted verbatim', (t) => {
  t.is(renderTemplate('server_name {{{hostname}}}; port {{{port}}}', context, 'shell', 'x.sh'), 'server_name www.foobar.com; port 3000');
});

test('shell mode single-quotes every value', (t) => {
  t.is(renderTemplate('NAME={{hostname}} PORT={{port}} Q={{quote}}', context, 'shell', 'x.sh'), `NAME='www.foobar.com' PORT='3000' Q='it'\\''s'`);
});

test('config mode inserts safe values verbatim, without HTML escaping', (t) => {
  const values: RenderContext = { url: 'http://127.0.0.1:3000/a=b,c+d', user: 'app@localhost' };
  t.is(renderTemplate('proxy_pass {{url}}; # {{user}}', values, 'config', 'x.conf'), 'proxy_pass http://127.0.0.1:3000/a=b,c+d; # app@localhost');
});

for (const unsafe of ['a;b', '$(id)', '`id`', 'a\nb', 'a"b', "a'b", 'a{b}', 'a#b', 'a\\b', 'a<b>']) {
  test(`config mode refuses the unsafe value ${JSON.stringify(unsafe)}`, (t) => {
    const error = renderError(t, 'server_name {{name}};', 'config', { name: unsafe });
    t.is(error.code, 'E_RENDER');
    t.regex(error.message, /unsafe in a config file/);
    t.regex(error.message, /files\/site\.conf/);
  });
}

test('a template that is not valid mustache is an E_RENDER error', (t) => {
  const error = renderError(t, '{{#enabled}}never closed');
  t.is(error.code, 'E_RENDER');
  t.regex(error.message, /not a valid mustache template/);
});

test('text outside of tags, comments included, is kept byte for byte', (t) => {
  const template = '#!/bin/bash\n{{! a comment }}set -Eeuo pipefail\n  echo "$HOME" \'{x}\'\n';
  t.is(renderTemplate(template, context, 'shell', 'x.sh'), '#!/bin/bash\nset -Eeuo pipefail\n  echo "$HOME" \'{x}\'\n');
});

test('packer-style placeholders are not render keys and are refused', (t) => {
  const error = renderError(t, 'echo {{ .Path }}');
  t.regex(error.message, /\.Path/);
});

// Known gap (reported): a partial `{{> name}}` is neither checked nor rendered; it silently becomes ''.
test('a partial is refused instead of silently rendering as nothing', (t) => {
  t.throws(() => renderTemplate('before {{> common}} after', context, 'shell', 'x.sh'));
});
