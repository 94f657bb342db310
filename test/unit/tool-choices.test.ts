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

  const KEYS = [...SET.toolRoutes.values()].map((r) => `${r.backend}/${r.originalName}`);
  /** A pick that showed every tool of SET (what a pick opened on the set now sends). */
  const all = (picked: string[]) => ({ picked, shown: KEYS });

  it('without an include: excludes what was left out, keeping patterns that match no tool now', () => {
    const lists = pickedLists(
      SET,
      {},
      { include: [], exclude: ['gamma/*', 'beta/get-*'] },
      all(['alpha/echo', 'beta/whoami', 'beta/get-env']),
    );
    expect(lists).toEqual({ include: [], exclude: ['gamma/*', 'alpha/add'] });
    // Everything picked: only the kept pattern is left.
    expect(pickedLists(SET, {}, { include: [], exclude: [] }, all(KEYS))).toEqual({
      include: [],
      exclude: [],
    });
  });

  it('with an include: goes on listing what is taken (new tools stay hidden); none picked is exclude "*"', () => {
    const current = { include: ['alpha/*', 'gamma/search'], exclude: [] };
    expect(pickedLists(SET, {}, current, all(['alpha/add', 'beta/whoami']))).toEqual({
      include: ['gamma/search', 'alpha/add', 'beta/whoami'],
      exclude: [],
    });
    expect(pickedLists(SET, {}, { include: ['alpha/*'], exclude: [] }, all([]))).toEqual({
      include: [],
      exclude: ['*'],
    });
  });

  it("only the profile's backends count", () => {
    expect(
      pickedLists(SET, { backends: ['alpha'] }, { include: [], exclude: [] }, all(['alpha/echo'])),
    ).toEqual({
      include: [],
      exclude: ['alpha/add'],
    });
  });

  // The pick was opened before beta offered get-env and whoami: those two were never shown.
  const OPENED_BEFORE = { shown: ['alpha/echo', 'alpha/add'] };

  it('a tool the pick did not show keeps what the lists give it: shown without an include', () => {
    // The user left out alpha/add; beta's tools, added while the pick was open, are not excluded.
    expect(
      pickedLists(SET, {}, { include: [], exclude: [] }, { ...OPENED_BEFORE, picked: ['alpha/echo'] }),
    ).toEqual({ include: [], exclude: ['alpha/add'] });
    // One the lists already leave out stays out (written as its key, like every matched pattern).
    expect(
      pickedLists(
        SET,
        {},
        { include: [], exclude: ['beta/get-*'] },
        { ...OPENED_BEFORE, picked: ['alpha/echo', 'alpha/add'] },
      ),
    ).toEqual({ include: [], exclude: ['beta/get-env'] });
  });

  it('a tool the pick did not show keeps what the lists give it: hidden under an include, or taken by it', () => {
    expect(
      pickedLists(
        SET,
        {},
        { include: ['alpha/echo'], exclude: [] },
        { ...OPENED_BEFORE, picked: ['alpha/add'] },
      ),
    ).toEqual({ include: ['alpha/add'], exclude: [] });
    // An include pattern that takes a tool the pick did not show goes on taking it.
    expect(
      pickedLists(
        SET,
        {},
        { include: ['beta/who*'], exclude: [] },
        { ...OPENED_BEFORE, picked: ['alpha/echo'] },
      ),
    ).toEqual({ include: ['alpha/echo', 'beta/whoami'], exclude: [] });
  });

  it('a picked key counts as decided even when it is not among the shown', () => {
    expect(
      pickedLists(SET, {}, { include: ['alpha/echo'], exclude: [] }, { shown: [], picked: ['beta/whoami'] }),
    ).toEqual({ include: ['alpha/echo', 'beta/whoami'], exclude: [] });
  });
});
