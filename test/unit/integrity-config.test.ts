// The `integrity` config keys: defaults, per-backend overrides under aggregation.backends.<name>,
// errors naming their key path, and the commented default file documenting them.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_TEXT } from '../../core/config/default-file.js';
import { parseConfigText, validateConfig, type ConfigResult } from '../../core/config/load.js';
import type { SwitchyardConfig } from '../../core/config/schema.js';
import { integrityPolicy } from '../../core/integrity/policy.js';

const NO_ENV: Record<string, string | undefined> = {};

function ok(result: ConfigResult): SwitchyardConfig {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

describe('integrity config', () => {
  it('defaults to trusting new tools and holding changed ones', () => {
    const config = ok(validateConfig({}, NO_ENV));
    expect(config.integrity).toEqual({ newTools: 'allow', changedTools: 'hold' });
    expect(integrityPolicy(config.integrity, config.aggregation, 'any')).toEqual({
      newTools: 'allow',
      changedTools: 'hold',
    });
  });

  it('takes a per-backend policy whose unset keys follow the top level', () => {
    const config = ok(
      parseConfigText(
        [
          'integrity: { newTools: hold }',
          'aggregation:',
          '  backends:',
          '    trusted: { integrity: { newTools: allow, changedTools: allow } }',
          '    careful: { integrity: { changedTools: hold } }',
        ].join('\n'),
        NO_ENV,
      ),
    );
    expect(integrityPolicy(config.integrity, config.aggregation, 'trusted')).toEqual({
      newTools: 'allow',
      changedTools: 'allow',
    });
    expect(integrityPolicy(config.integrity, config.aggregation, 'careful')).toEqual({
      newTools: 'hold',
      changedTools: 'hold',
    });
    expect(integrityPolicy(config.integrity, config.aggregation, 'other')).toEqual({
      newTools: 'hold',
      changedTools: 'hold',
    });
  });

  it('names the key path of a bad value or an unknown key', () => {
    const bad = validateConfig(
      {
        integrity: { newTools: 'maybe', changedToolz: 'hold' },
        aggregation: { backends: { a: { integrity: { changedTools: 'never' } } } },
      },
      NO_ENV,
    );
    expect(bad.ok).toBe(false);
    const paths = bad.ok ? [] : bad.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['integrity.newTools', 'aggregation.backends.a.integrity.changedTools']),
    );
    expect(paths.some((p) => p.includes('changedToolz'))).toBe(true);
  });

  it('is documented in the default config file with its defaults', () => {
    const section = DEFAULT_CONFIG_TEXT.split('\n')
      .filter((line) => /^# (integrity:| {2}(newTools|changedTools):)/.test(line))
      .map((line) => line.slice(2))
      .join('\n');
    expect(section).toContain('integrity:');
    const config = ok(parseConfigText(section, NO_ENV));
    expect(config.integrity).toEqual(ok(validateConfig({}, NO_ENV)).integrity);
  });
});
