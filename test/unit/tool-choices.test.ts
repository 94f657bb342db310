// What the dashboard's tool switch and a profile's pick write, as pure functions: the smallest
// include/exclude change for a switch, and the lists a pick becomes (kept patterns, list kind).
import { describe, expect, it } from 'vitest';
import type { Route } from '../../core/domain/advertised.js';
import { switchedFilter } from '../../core/control/tool-edits.js';
import { ControlError } from '../../core/control/errors.js';
import { pickedLists, profileChoices } from '../../core/profiles/choices.js';
import { validateConfig } from '../../core/config/load.js';

const WHERE = 'aggregation.backends.beta.tools';

describe('the tool switch', () => {
  it('adds to exclude to turn off, and takes out again to turn on', () => {
    const off = switchedFilter({ include: [], exclude: ['x'] }, 'echo', false, WHERE);
    expect(off).toEqual({ include: [], exclude: ['x', 'echo'] });
    expect(switchedFilter(off, 'echo', true, WHERE)).toEqual({ include: [], exclude: ['x'] });
  });

  it('changes nothing when the tool is already so', () => {
    const filter = { include: [], exclude: ['echo'] };
    expect(switchedFilter(filter, 'echo', false, WHERE)).toBe(filter);
    expect(switchedFilter({ include: [], exclude: [] }, 'echo', true, WHERE)).toEqual({
      include: [],
      exclude: [],
    });
  });

  it('works with an include the user wrote', () => {
    // Off: taken out of an include that names it among others.
    expect(switchedFilter({ include: ['echo', 'add'], exclude: [] }, 'echo', false, WHERE)).toEqual({
      include: ['add'],
      exclude: [],
    });
    // Off when it is the only one named: an empty include would mean all, so exclude it.
    expect(switchedFilter({ include: ['echo'], exclude: [] }, 'echo', false, WHERE)).toEqual({
      include: ['echo'],
      exclude: ['echo'],
    });
    // On when the include leaves it out: added to the include.
    expect(switchedFilter({ include: ['add'], exclude: [] }, 'echo', true, WHERE)).toEqual({
      include: ['add', 'echo'],
      exclude: [],
    });
  });

  it('refuses to turn on a tool a pattern keeps out, naming the pattern', () => {
    const error = (() => {
      try {
        switchedFilter({ include: [], exclude: ['get-*'] }, 'get-env', true, WHERE);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ControlError);
    expect((error as ControlError).status).toBe(409);
    expect((error as Error).message).toContain(`pattern "get-*" in ${WHERE}.exclude`);
  });
});

const route = (backend: string, originalName: string): Route =>
  ({
    backend,
    originalName,
    definition: { name: originalName, description: `${originalName} of ${backend}` },
  }) as Route;
const SET = {
  toolRoutes: new Map([
    ['echo', route('alpha', 'echo')],
    ['add', route('alpha', 'add')],
    ['whoami', route('beta', 'whoami')],
    ['get-env', route('beta', 'get-env')],
  ]),
};
const profile = (input: Record<string, unknown>) => {
  const result = validateConfig({ profiles: { cursor: input } }, {});
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config.profiles.cursor!;
};

describe("a profile's pick", () => {
  it("lists the profile's backends' tools, in its backend order, with what its lists select", () => {
    const choices = profileChoices(
      SET,
      'cursor',
      profile({ client: 'cursor', backends: ['beta', 'alpha'], tools: { exclude: ['beta/get-*'] } }),
    );
    expect(choices.tools.map((t) => [t.key, t.selected])).toEqual([
      ['beta/whoami', true],
      ['beta/get-env', false],
      ['alpha/echo', true],
      ['alpha/add', true],
    ]);
    expect(choices).toMatchObject({
      newTools: 'shown',
      clientLimit: 80,
      budget: 80,
      limitKind: 'soft',
      clientLabel: 'Cursor',
    });
  });

  it('without an include: excludes what was left out, keeping patterns that match no tool now', () => {
    const lists = pickedLists(SET, {}, { include: [], exclude: ['gamma/*', 'beta/get-*'] }, [
      'alpha/echo',
      'beta/whoami',
      'beta/get-env',
    ]);
    expect(lists).toEqual({ include: [], exclude: ['gamma/*', 'alpha/add'] });
    // Everything picked: only the kept pattern is left.
    expect(
      pickedLists(
        SET,
        {},
        { include: [], exclude: [] },
        [...SET.toolRoutes.values()].map((r) => `${r.backend}/${r.originalName}`),
      ),
    ).toEqual({
      include: [],
      exclude: [],
    });
  });

  it('with an include: goes on listing what is taken (new tools stay hidden); none picked is exclude "*"', () => {
    const current = { include: ['alpha/*', 'gamma/search'], exclude: [] };
    expect(pickedLists(SET, {}, current, ['alpha/add', 'beta/whoami'])).toEqual({
      include: ['gamma/search', 'alpha/add', 'beta/whoami'],
      exclude: [],
    });
    expect(pickedLists(SET, {}, { include: ['alpha/*'], exclude: [] }, [])).toEqual({
      include: [],
      exclude: ['*'],
    });
  });

  it("only the profile's backends count", () => {
    expect(pickedLists(SET, { backends: ['alpha'] }, { include: [], exclude: [] }, ['alpha/echo'])).toEqual({
      include: [],
      exclude: ['alpha/add'],
    });
  });
});
