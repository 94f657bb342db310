// Config loading: schema defaults, YAML/JSON parsing, error paths with positions, ${env:} expansion,
// units, and the default file written on first start.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG_TEXT, ensureConfigFile } from '../../core/config/default-file.js';
import { expandEnv } from '../../core/config/expand.js';
import {
  ConfigFileError,
  formatConfigErrors,
  formatPath,
  loadConfigFile,
  parseConfigText,
  validateConfig,
  type ConfigError,
  type ConfigResult,
} from '../../core/config/load.js';
import { BACKEND_NAME, configSchema, type SwitchyardConfig } from '../../core/config/schema.js';
import { formatBytes, formatDuration, parseDuration, parseSize } from '../../core/config/units.js';

const NO_ENV: Record<string, string | undefined> = {};

function expectOk(result: ConfigResult): SwitchyardConfig {
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.errors)}`);
  return result.config;
}

function expectErrors(result: ConfigResult): ConfigError[] {
  if (result.ok) throw new Error('expected config errors, got a valid config');
  expect(result.errors.length).toBeGreaterThan(0);
  return result.errors;
}

function errorAt(errors: ConfigError[], keyPath: string): ConfigError {
  const found = errors.find((e) => e.path === keyPath);
  if (!found) throw new Error(`no error at "${keyPath}"; errors: ${JSON.stringify(errors)}`);
  return found;
}

/** 1-based line and column of the first occurrence of `needle` in `text` (the way editors count). */
function locate(text: string, needle: string, from = 0): { line: number; column: number } {
  const index = text.indexOf(needle, from);
  if (index < 0) throw new Error(`"${needle}" not in text`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

describe('defaults', () => {
  const config = expectOk(validateConfig({}, NO_ENV));

  it('applies every documented default to an empty object', () => {
    expect(config.server).toEqual({ host: '127.0.0.1', port: 4750 });
    expect(config.auth).toEqual({ token: 'auto' });
    expect(config.discovery).toEqual({ docker: { enabled: true, host: 'auto', group: null } });
    expect(config.backends).toEqual([]);
    expect(config.aggregation).toEqual({
      conflicts: 'auto',
      prefixFormat: '{backend}__',
      priority: [],
      backends: {},
    });
    expect(config.audit).toEqual({
      enabled: true,
      retentionDays: 30,
      recordPayloads: false,
      maxPayloadBytes: 4096,
      maxRows: 1_000_000,
    });
    expect(config.sessions).toEqual({ idleTtl: 24 * 60 * 60 * 1000, max: 1000, backendIdleTtl: 600_000 });
    expect(config.limits).toEqual({
      requestBody: 4 * 1024 * 1024,
      batch: 64,
      backendResponse: 100 * 1024 * 1024,
      backendInFlight: 256 * 1024 * 1024,
      stdioProcesses: 32,
    });
  });

  it('treats null/undefined input and an empty document as {}', () => {
    expect(expectOk(validateConfig(undefined, NO_ENV))).toEqual(config);
    expect(expectOk(validateConfig(null, NO_ENV))).toEqual(config);
    expect(expectOk(parseConfigText('', NO_ENV))).toEqual(config);
    expect(expectOk(parseConfigText('# only a comment\n', NO_ENV))).toEqual(config);
  });

  it('fills defaults inside partially given sections', () => {
    const partial = expectOk(validateConfig({ server: { port: 9000 }, discovery: { docker: {} } }, NO_ENV));
    expect(partial.server).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(partial.discovery.docker).toEqual(config.discovery.docker);
  });

  it('is what the schema itself produces', () => {
    expect(configSchema.parse({})).toEqual(config);
  });
});

describe('parsing YAML and JSON text', () => {
  it('reads YAML', () => {
    const text = [
      'server: { host: 127.0.0.1, port: 5001 }',
      'auth:',
      '  token: off',
      'discovery:',
      '  docker: { enabled: false, group: tools }',
      'backends:',
      '  - name: everything',
      '    url: http://127.0.0.1:3001/mcp',
      '    headers: { X-Key: abc }',
      '    timeout: 10s',
      '  - name: memory',
      '    command: npx',
      '    args: ["-y", "@modelcontextprotocol/server-memory"]',
      '    env: { DEBUG: "1" }',
      '    cwd: /tmp',
      'aggregation:',
      '  conflicts: priority',
      '  priority: [memory, everything]',
      '  backends:',
      '    everything:',
      '      tools:',
      '        exclude: [get-env]',
      '        overrides: { echo: { name: say, description: "Repeat a message" } }',
      'audit: { recordPayloads: true }',
      'sessions: { idleTtl: 2h, max: 5, backendIdleTtl: 90s }',
      '',
    ].join('\n');
    const config = expectOk(parseConfigText(text, NO_ENV));
    expect(config.server.port).toBe(5001);
    expect(config.auth.token).toBe('off');
    expect(config.discovery.docker).toEqual({ enabled: false, host: 'auto', group: 'tools' });
    expect(config.backends).toEqual([
      {
        name: 'everything',
        url: 'http://127.0.0.1:3001/mcp',
        transport: 'streamable-http',
        headers: { 'X-Key': 'abc' },
        timeout: 10_000,
        enabled: true,
      },
      {
        name: 'memory',
        command: 'npx',
        transport: 'stdio',
        args: ['-y', '@modelcontextprotocol/server-memory'],
        env: { DEBUG: '1' },
        cwd: '/tmp',
        timeout: 30_000,
        enabled: true,
      },
    ]);
    expect(config.aggregation.conflicts).toBe('priority');
    expect(config.aggregation.priority).toEqual(['memory', 'everything']);
    expect(config.aggregation.backends.everything).toEqual({
      tools: {
        include: [],
        exclude: ['get-env'],
        overrides: { echo: { name: 'say', description: 'Repeat a message' } },
      },
      prompts: { include: [], exclude: [], overrides: {} },
    });
    expect(config.audit.recordPayloads).toBe(true);
    expect(config.audit.retentionDays).toBe(30);
    expect(config.sessions).toEqual({ idleTtl: 2 * 3_600_000, max: 5, backendIdleTtl: 90_000 });
  });

  it('reads JSON', () => {
    const json = JSON.stringify({
      server: { port: 6000 },
      backends: [{ name: 'sse-one', url: 'https://example.test/sse', transport: 'sse' }],
      limits: { requestBody: '1MiB' },
    });
    const config = expectOk(parseConfigText(json, NO_ENV));
    expect(config.server.port).toBe(6000);
    expect(config.backends[0]).toMatchObject({
      name: 'sse-one',
      transport: 'sse',
      url: 'https://example.test/sse',
    });
    expect(config.limits.requestBody).toBe(1024 * 1024);
  });

  it('gives JSON errors a key path and a position too', () => {
    const json = '{\n  "server": {\n    "port": 70000\n  }\n}\n';
    const error = errorAt(expectErrors(parseConfigText(json, NO_ENV)), 'server.port');
    expect(error).toMatchObject(locate(json, '70000'));
  });

  it('reports a YAML syntax error with its line and column and an empty path', () => {
    const text = 'server:\n  port: 1\nbackends: [\n';
    const errors = expectErrors(parseConfigText(text, NO_ENV));
    expect(errors[0]!.path).toBe('');
    expect(errors[0]!.line).toBeGreaterThanOrEqual(3);
    expect(errors[0]!.column).toBeGreaterThanOrEqual(1);
    expect(errors[0]!.message).not.toContain('\n');
  });

  it('refuses duplicate keys, in YAML and in JSON', () => {
    const yaml = 'server:\n  port: 1\nserver:\n  port: 2\n';
    const yamlErrors = expectErrors(parseConfigText(yaml, NO_ENV));
    expect(yamlErrors[0]!.message).toMatch(/unique/i);
    expect(yamlErrors[0]!.line).toBe(locate(yaml, 'server', 1).line);
    const jsonErrors = expectErrors(parseConfigText('{"audit": {}, "audit": {}}', NO_ENV));
    expect(jsonErrors[0]!.message).toMatch(/unique/i);
  });

  it('refuses a document that is not a mapping', () => {
    expect(errorAt(expectErrors(parseConfigText('- a\n- b\n', NO_ENV)), '').line).toBe(1);
    expect(expectErrors(parseConfigText('just a string', NO_ENV))[0]!.path).toBe('');
  });
});

describe('error paths and positions', () => {
  it('names an unknown key by its full path, at every level', () => {
    const text = [
      'bogus: 1',
      'server:',
      '  port: 1',
      '  extra: 2',
      'aggregation:',
      '  backends:',
      '    my.svc:',
      '      tools:',
      '        overrides:',
      '          "a.b": { nme: x }',
      '',
    ].join('\n');
    const errors = expectErrors(parseConfigText(text, NO_ENV));
    expect(errors.map((e) => e.path).sort()).toEqual(
      ['bogus', 'server.extra', 'aggregation.backends["my.svc"].tools.overrides["a.b"].nme'].sort(),
    );
    for (const error of errors) {
      expect(error.message).toBe('unknown key');
      expect(error.line).toBeTypeOf('number');
      expect(error.column).toBeTypeOf('number');
    }
    expect(errorAt(errors, 'server.extra').line).toBe(locate(text, 'extra').line);
    expect(errorAt(errors, 'bogus').line).toBe(1);
  });

  it('puts an unknown key error on the line of the key, even when its value is a nested block', () => {
    const text = 'server:\n  port: 1\n  extra:\n    deep: 1\n';
    const error = errorAt(expectErrors(parseConfigText(text, NO_ENV)), 'server.extra');
    expect(error.line).toBe(locate(text, 'extra').line);
  });

  it('reports every error at once, each with its own path and position', () => {
    const text = [
      'server:',
      '  port: nope',
      'backends:',
      '  - name: ok',
      '    url: ftp://example.test/',
      '  - name: "bad name"',
      '    command: x',
      '  - name: third',
      '',
    ].join('\n');
    const errors = expectErrors(parseConfigText(text, NO_ENV));
    expect(errorAt(errors, 'server.port')).toMatchObject(locate(text, 'nope'));
    expect(errorAt(errors, 'backends[0].url')).toMatchObject({
      message: 'must be an http:// or https:// URL',
      ...locate(text, 'ftp://'),
    });
    expect(errorAt(errors, 'backends[1].name')).toMatchObject(locate(text, '"bad name"'));
    const third = errorAt(errors, 'backends[2]');
    expect(third.message).toMatch(/url.*command/);
    expect(third.line).toBe(locate(text, 'name: third').line);
    expect(errors).toHaveLength(4);
  });

  it('has no positions for an object validated without text', () => {
    const errors = expectErrors(validateConfig({ server: { port: -1 } }, NO_ENV));
    expect(errors).toEqual([{ path: 'server.port', message: expect.any(String) }]);
  });

  it('refuses a strategy outside the documented four', () => {
    const errors = expectErrors(validateConfig({ aggregation: { conflicts: 'random' } }, NO_ENV));
    expect(errorAt(errors, 'aggregation.conflicts').message).toMatch(/auto.*prefix.*priority.*manual/);
    for (const conflicts of ['auto', 'prefix', 'priority', 'manual']) {
      expect(expectOk(validateConfig({ aggregation: { conflicts } }, NO_ENV)).aggregation.conflicts).toBe(
        conflicts,
      );
    }
  });

  it('checks server.port range and audit numbers', () => {
    expect(
      errorAt(expectErrors(validateConfig({ server: { port: 65536 } }, NO_ENV)), 'server.port'),
    ).toBeTruthy();
    expect(
      errorAt(expectErrors(validateConfig({ server: { port: 1.5 } }, NO_ENV)), 'server.port'),
    ).toBeTruthy();
    expect(expectOk(validateConfig({ server: { port: 0 } }, NO_ENV)).server.port).toBe(0);
    const audit = expectErrors(validateConfig({ audit: { retentionDays: 0, enabled: 'yes' } }, NO_ENV));
    expect(audit.map((e) => e.path).sort()).toEqual(['audit.enabled', 'audit.retentionDays']);
  });
});

describe('formatPath', () => {
  it('writes indexes in brackets and quotes keys that are not identifiers', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['backends', 0, 'url'])).toBe('backends[0].url');
    expect(formatPath(['backends', 2, 'headers', 'Authorization'])).toBe('backends[2].headers.Authorization');
    expect(formatPath(['aggregation', 'backends', 'my.svc', 'tools'])).toBe(
      'aggregation.backends["my.svc"].tools',
    );
    expect(formatPath([0, 'x'])).toBe('[0].x');
    expect(formatPath(['a', 'has space'])).toBe('a["has space"]');
  });
});

describe('${env:NAME} expansion', () => {
  it('replaces references anywhere in strings, maps and arrays', () => {
    const text = [
      'auth: { token: "${env:SY_TOKEN}" }',
      'backends:',
      '  - name: remote',
      '    url: "http://${env:SY_HOST}:3001/mcp"',
      '    headers: { Authorization: "Bearer ${env:SY_TOKEN}" }',
      '  - name: local',
      '    command: run',
      '    args: ["--user", "${env:SY_USER}-${env:SY_USER}"]',
      '    env: { HOME_DIR: "${env:SY_HOME}" }',
      '',
    ].join('\n');
    const env = { SY_TOKEN: 's3cret', SY_HOST: 'localhost', SY_USER: 'ann', SY_HOME: '' };
    const config = expectOk(parseConfigText(text, env));
    expect(config.auth.token).toBe('s3cret');
    const [remote, local] = config.backends;
    expect(remote).toMatchObject({
      url: 'http://localhost:3001/mcp',
      headers: { Authorization: 'Bearer s3cret' },
    });
    expect(local).toMatchObject({ args: ['--user', 'ann-ann'], env: { HOME_DIR: '' } });
  });

  it('reports a missing variable with the key path and position where it is used', () => {
    const text = [
      'backends:',
      '  - name: remote',
      '    url: http://127.0.0.1:3001/mcp',
      '    headers:',
      '      Authorization: "Bearer ${env:SY_MISSING}"',
      '  - name: local',
      '    command: run',
      '    args: [a, "${env:SY_OTHER_MISSING}"]',
      '',
    ].join('\n');
    const errors = expectErrors(parseConfigText(text, { SY_UNRELATED: 'x' }));
    const header = errorAt(errors, 'backends[0].headers.Authorization');
    expect(header.message).toContain('SY_MISSING');
    expect(header.line).toBe(locate(text, 'Bearer').line);
    const arg = errorAt(errors, 'backends[1].args[1]');
    expect(arg.message).toContain('SY_OTHER_MISSING');
    expect(arg.line).toBe(locate(text, 'SY_OTHER_MISSING').line);
  });

  it('reports missing variables from validateConfig too', () => {
    const errors = expectErrors(validateConfig({ auth: { token: '${env:SY_NOPE}' } }, NO_ENV));
    expect(errorAt(errors, 'auth.token').message).toBe('environment variable SY_NOPE is not set');
  });

  it('uses process.env when no environment is passed', () => {
    vi.stubEnv('SWITCHYARD_UNIT_TEST_TOKEN', 'from-process-env');
    try {
      const config = expectOk(parseConfigText('auth: { token: "${env:SWITCHYARD_UNIT_TEST_TOKEN}" }'));
      expect(config.auth.token).toBe('from-process-env');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('does not expand inside substituted values, and leaves other $ syntax alone', () => {
    const result = expandEnv(
      { a: '${env:OUTER}', b: '${INNER}', c: '$env:INNER', d: '${env:1BAD}', e: 'x${env:INNER}y' },
      { OUTER: '${env:INNER}', INNER: 'inner' },
    );
    expect(result.errors).toEqual([]);
    expect(result.value).toEqual({
      a: '${env:INNER}',
      b: '${INNER}',
      c: '$env:INNER',
      d: '${env:1BAD}',
      e: 'xinnery',
    });
  });

  it('keeps non-string values, does not mutate its input and collects every error with its path', () => {
    const input = { n: 1, t: true, z: null, list: ['${env:A}', { deep: '${env:B}' }], keep: '${env:C}' };
    const snapshot = structuredClone(input);
    const result = expandEnv(input, { C: 'c' });
    expect(input).toEqual(snapshot);
    expect(result.value).toEqual({
      n: 1,
      t: true,
      z: null,
      list: ['${env:A}', { deep: '${env:B}' }],
      keep: 'c',
    });
    expect(result.errors).toEqual([
      { path: ['list', 0], message: 'environment variable A is not set' },
      { path: ['list', 1, 'deep'], message: 'environment variable B is not set' },
    ]);
  });
});

describe('durations and sizes', () => {
  it('parses duration strings', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration(' 10 s ')).toBe(10_000);
    for (const bad of ['', '10', 's', '-1s', '1w', '1.s', 'soon', '1e3ms'])
      expect(parseDuration(bad)).toBeUndefined();
  });

  it('parses size strings (decimal and binary units, bare numbers as bytes)', () => {
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('10B')).toBe(10);
    expect(parseSize('1KB')).toBe(1000);
    expect(parseSize('64KiB')).toBe(65_536);
    expect(parseSize('1.5KiB')).toBe(1536);
    expect(parseSize('2MB')).toBe(2_000_000);
    expect(parseSize('100MiB')).toBe(104_857_600);
    expect(parseSize('1GB')).toBe(1e9);
    expect(parseSize('1 GiB')).toBe(1024 ** 3);
    for (const bad of ['', 'MiB', '-1MiB', '1TB', '1 mib', 'lots']) expect(parseSize(bad)).toBeUndefined();
  });

  it('accepts durations as strings or whole milliseconds in the config', () => {
    const config = expectOk(
      validateConfig(
        {
          backends: [
            { name: 'a', url: 'http://127.0.0.1:1/mcp', timeout: '1.5s' },
            { name: 'b', url: 'http://127.0.0.1:2/mcp', timeout: 250 },
            { name: 'c', url: 'http://127.0.0.1:3/mcp' },
          ],
          sessions: { idleTtl: '7d' },
        },
        NO_ENV,
      ),
    );
    expect(config.backends.map((b) => b.timeout)).toEqual([1500, 250, 30_000]);
    expect(config.sessions.idleTtl).toBe(7 * 86_400_000);
  });

  it('refuses bad durations with the key path', () => {
    for (const timeout of ['soon', '10', -5, 1.5, true]) {
      const errors = expectErrors(
        validateConfig({ backends: [{ name: 'a', command: 'x', timeout }] }, NO_ENV),
      );
      expect(errorAt(errors, 'backends[0].timeout').message).toContain('not a duration');
    }
    const errors = expectErrors(validateConfig({ sessions: { idleTtl: '1 week' } }, NO_ENV));
    expect(errorAt(errors, 'sessions.idleTtl').message).toContain('"1 week"');
    const backend = expectErrors(validateConfig({ sessions: { backendIdleTtl: -5 } }, NO_ENV));
    expect(errorAt(backend, 'sessions.backendIdleTtl').message).toContain('-5');
  });

  it('accepts sizes as strings or whole bytes in the config, and refuses zero or garbage', () => {
    const config = expectOk(
      validateConfig({ limits: { requestBody: '64KiB', backendResponse: 12345 } }, NO_ENV),
    );
    expect(config.limits).toEqual({
      requestBody: 65_536,
      batch: 64,
      backendResponse: 12_345,
      backendInFlight: 256 * 1024 ** 2,
      stdioProcesses: 32,
    });
    for (const requestBody of [0, '0', '0MiB', -1, 'big', 2.5]) {
      const errors = expectErrors(validateConfig({ limits: { requestBody } }, NO_ENV));
      expect(errorAt(errors, 'limits.requestBody').message).toContain('not a size');
    }
    expect(
      errorAt(expectErrors(validateConfig({ limits: { batch: 0 } }, NO_ENV)), 'limits.batch'),
    ).toBeTruthy();
  });

  it('bounds limits.backendResponse and keeps the in-flight budget above it', () => {
    const over = expectErrors(validateConfig({ limits: { backendResponse: '1GiB' } }, NO_ENV));
    expect(errorAt(over, 'limits.backendResponse').message).toContain('at most 256MiB');
    const below = expectErrors(
      validateConfig({ limits: { backendResponse: '200MiB', backendInFlight: '100MiB' } }, NO_ENV),
    );
    expect(errorAt(below, 'limits.backendInFlight').message).toContain('at least backendResponse');
  });

  it('formats durations and byte counts for messages', () => {
    expect(formatDuration(999)).toBe('999 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(90_000)).toBe('1.5 min');
    expect(formatDuration(2 * 3_600_000)).toBe('2 h');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(100 * 1024 ** 2)).toBe('100 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3 GiB');
  });
});

describe('backends', () => {
  it('needs exactly one of url or command', () => {
    const both = expectErrors(
      validateConfig({ backends: [{ name: 'x', url: 'http://h/mcp', command: 'c' }] }, NO_ENV),
    );
    expect(errorAt(both, 'backends[0]').message).toMatch(/both "url" and "command"/);
    const neither = expectErrors(validateConfig({ backends: [{ name: 'x' }] }, NO_ENV));
    expect(errorAt(neither, 'backends[0]').message).toMatch(/either "url".*or "command"/);
    const notObject = expectErrors(validateConfig({ backends: ['http://h/mcp', null] }, NO_ENV));
    expect(errorAt(notObject, 'backends[0]')).toBeTruthy();
    expect(errorAt(notObject, 'backends[1]')).toBeTruthy();
  });

  it('applies per-kind defaults', () => {
    const [remote, local] = expectOk(
      validateConfig(
        {
          backends: [
            { name: 'r', url: 'http://h/mcp' },
            { name: 'l', command: 'c' },
          ],
        },
        NO_ENV,
      ),
    ).backends;
    expect(remote).toEqual({
      name: 'r',
      url: 'http://h/mcp',
      transport: 'streamable-http',
      headers: {},
      timeout: 30_000,
      enabled: true,
    });
    expect(local).toEqual({
      name: 'l',
      command: 'c',
      transport: 'stdio',
      args: [],
      env: {},
      timeout: 30_000,
      enabled: true,
    });
  });

  it('keeps remote and stdio keys apart, with paths into the backend', () => {
    const errors = expectErrors(
      validateConfig(
        {
          backends: [
            { name: 'r', url: 'http://h/mcp', transport: 'stdio', args: ['x'] },
            { name: 'l', command: '', transport: 'sse', headers: {} },
          ],
        },
        NO_ENV,
      ),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(
      [
        'backends[0].transport',
        'backends[0].args',
        'backends[1].command',
        'backends[1].transport',
        'backends[1].headers',
      ].sort(),
    );
    expect(errorAt(errors, 'backends[0].args').message).toBe('unknown key');
    expect(errorAt(errors, 'backends[1].headers').message).toBe('unknown key');
  });

  it('accepts only http and https URLs', () => {
    for (const url of ['ftp://h/x', 'not a url', 'file:///tmp/sock', '']) {
      const errors = expectErrors(validateConfig({ backends: [{ name: 'x', url }] }, NO_ENV));
      expect(errorAt(errors, 'backends[0].url').message).toBe('must be an http:// or https:// URL');
    }
    expect(
      expectOk(validateConfig({ backends: [{ name: 'x', url: 'https://h:8443/mcp' }] }, NO_ENV)),
    ).toBeTruthy();
  });

  it('keeps backend names to the prefix-safe alphabet', () => {
    for (const name of ['a', 'my.svc', 'A_b-9', 'x'.repeat(63)]) {
      expect(BACKEND_NAME.test(name)).toBe(true);
      expect(expectOk(validateConfig({ backends: [{ name, command: 'c' }] }, NO_ENV)).backends[0]!.name).toBe(
        name,
      );
    }
    for (const name of ['', '-a', '.a', 'a b', 'a/b', 'a:b', 'x'.repeat(64)]) {
      expect(BACKEND_NAME.test(name)).toBe(false);
      expect(
        errorAt(
          expectErrors(validateConfig({ backends: [{ name, command: 'c' }] }, NO_ENV)),
          'backends[0].name',
        ).message,
      ).toMatch(/letter or digit/);
    }
  });

  it('refuses duplicate backend names, pointing at the second one', () => {
    const text = [
      'backends:',
      '  - name: one',
      '    url: http://127.0.0.1:1/mcp',
      '  - name: two',
      '    command: c',
      '  - name: one',
      '    command: d',
      '',
    ].join('\n');
    const errors = expectErrors(parseConfigText(text, NO_ENV));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      path: 'backends[2].name',
      ...locate(text, 'one', text.indexOf('- name: two')),
    });
    expect(errors[0]!.message).toContain('"one"');
    expect(errors[0]!.message).toContain('backends[0]');
  });
});

describe('aggregation settings', () => {
  it('requires {backend} in prefixFormat', () => {
    const errors = expectErrors(parseConfigText('aggregation:\n  prefixFormat: "x__"\n', NO_ENV));
    expect(errorAt(errors, 'aggregation.prefixFormat')).toMatchObject({
      message: 'must contain {backend}',
      line: 2,
    });
    expect(
      expectOk(validateConfig({ aggregation: { prefixFormat: 'mcp-{backend}-' } }, NO_ENV)).aggregation
        .prefixFormat,
    ).toBe('mcp-{backend}-');
  });

  it('fills per-backend filter defaults and validates overrides', () => {
    const config = expectOk(
      validateConfig(
        {
          aggregation: {
            backends: {
              svc: {
                prompts: { include: ['p*'] },
                tools: { overrides: { echo: { title: 'Echo', annotations: { readOnlyHint: true } } } },
              },
            },
          },
        },
        NO_ENV,
      ),
    );
    expect(config.aggregation.backends.svc).toEqual({
      tools: {
        include: [],
        exclude: [],
        overrides: { echo: { title: 'Echo', annotations: { readOnlyHint: true } } },
      },
      prompts: { include: ['p*'], exclude: [], overrides: {} },
    });
    const errors = expectErrors(
      validateConfig(
        { aggregation: { backends: { svc: { tools: { overrides: { echo: { name: '' } } } } } } },
        NO_ENV,
      ),
    );
    expect(errorAt(errors, 'aggregation.backends.svc.tools.overrides.echo.name')).toBeTruthy();
  });
});

describe('the default config file', () => {
  it('parses and validates to exactly the defaults', () => {
    const fromText = expectOk(parseConfigText(DEFAULT_CONFIG_TEXT, NO_ENV));
    expect(fromText).toEqual(expectOk(validateConfig({}, NO_ENV)));
  });

  it('documents the defaults: uncommenting its settings changes nothing but the example backends', () => {
    const lines = DEFAULT_CONFIG_TEXT.split('\n');
    const headerEnd = lines.indexOf('');
    const uncommented = lines
      .map((line, i) => (i > headerEnd && /^# *[A-Za-z-]/.test(line) ? line.slice(2) : line))
      .filter((line) => line !== 'backends: []')
      .join('\n');
    expect(uncommented).not.toBe(DEFAULT_CONFIG_TEXT);
    const config = expectOk(parseConfigText(uncommented, { EVERYTHING_TOKEN: 'tok' }));
    const defaults = expectOk(validateConfig({}, NO_ENV));
    for (const section of ['server', 'auth', 'discovery', 'audit', 'sessions', 'limits'] as const) {
      expect(config[section]).toEqual(defaults[section]);
    }
    expect(config.aggregation.conflicts).toBe(defaults.aggregation.conflicts);
    expect(config.aggregation.prefixFormat).toBe(defaults.aggregation.prefixFormat);
    expect(config.aggregation.priority).toEqual(defaults.aggregation.priority);
    // The examples are valid config: a remote backend with an expanded header and a stdio one.
    expect(config.backends.map((b) => b.name)).toEqual(['everything', 'memory']);
    expect(config.backends[0]).toMatchObject({ headers: { Authorization: 'Bearer tok' }, timeout: 30_000 });
  });

  describe('ensureConfigFile', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-config-unit-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes the default file once (creating folders) and never overwrites it', async () => {
      const file = path.join(dir, 'nested', 'deeper', 'config.yaml');
      expect(await ensureConfigFile(file)).toBe(true);
      expect(await readFile(file, 'utf8')).toBe(DEFAULT_CONFIG_TEXT);
      if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
      await writeFile(file, 'server: { port: 1234 }\n');
      expect(await ensureConfigFile(file)).toBe(false);
      expect(await readFile(file, 'utf8')).toBe('server: { port: 1234 }\n');
    });
  });
});

describe('loadConfigFile and formatConfigErrors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-config-unit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a valid file with the given environment', async () => {
    const file = path.join(dir, 'ok.yaml');
    await writeFile(file, 'auth: { token: "${env:SY_T}" }\nserver: { port: 4800 }\n');
    const config = await loadConfigFile(file, { SY_T: 'tok' });
    expect(config.auth.token).toBe('tok');
    expect(config.server.port).toBe(4800);
  });

  it('throws a ConfigFileError for a missing file', async () => {
    const file = path.join(dir, 'does-not-exist.yaml');
    const error = await loadConfigFile(file, NO_ENV).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    const configError = error as ConfigFileError;
    expect(configError.name).toBe('ConfigFileError');
    expect(configError.file).toBe(file);
    expect(configError.errors).toEqual([{ path: '', message: 'file not found' }]);
    expect(configError.message).toContain(file);
    expect(configError.message).toContain('file not found');
  });

  it('throws a ConfigFileError when the path cannot be read as a file', async () => {
    const error = await loadConfigFile(dir, NO_ENV).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as ConfigFileError).errors[0]!.message).toMatch(/^cannot read file/);
  });

  it('throws every validation error with file:line:col in its message', async () => {
    const file = path.join(dir, 'bad.yaml');
    const text = 'server:\n  port: 1\n  extra: 2\nbackends:\n  - name: a\n    url: ftp://x\n';
    await writeFile(file, text);
    const error = (await loadConfigFile(file, NO_ENV).catch((e: unknown) => e)) as ConfigFileError;
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error.errors.map((e) => e.path).sort()).toEqual(['backends[0].url', 'server.extra']);
    const url = errorAt(error.errors, 'backends[0].url');
    expect(url).toMatchObject(locate(text, 'ftp://x'));
    expect(error.message).toContain(`${file}:${url.line}:${url.column}  backends[0].url: `);
    expect(error.message).toContain(`${file}:${locate(text, 'extra').line}:`);
    expect(error.message).toMatch(/^Invalid config \(2 errors\):/);
  });

  it('formats errors one per line, with or without positions', () => {
    const text = formatConfigErrors('conf.yaml', [
      { path: 'server.extra', message: 'unknown key', line: 3, column: 3 },
      { path: '', message: 'file not found' },
      { path: 'a', message: 'm', line: 7 },
    ]);
    expect(text.split('\n')).toEqual([
      'Invalid config (3 errors):',
      '  conf.yaml:3:3  server.extra: unknown key',
      '  conf.yaml  file not found',
      '  conf.yaml:7:1  a: m',
    ]);
    expect(formatConfigErrors('f', [{ path: 'x', message: 'y' }])).toMatch(/^Invalid config \(1 error\):/);
  });
});
