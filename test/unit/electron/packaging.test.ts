// electron-builder.yml is complete and valid (checked with electron-builder's own schema), the
// icons it and the tray use exist at the right sizes with their SVG sources, and only electron/
// imports electron — at run time only its two entry points (everything else is a tested seam).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TRAY_STATES } from '../../../electron/tray-model.js';
import { ROOT } from './fakes.js';

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  directories: { buildResources: string };
  mac: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  linux: { target: string[]; icon: string };
}

const builder = parse(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const data = readFileSync(file);
  expect(data.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [data.readUInt32BE(16), data.readUInt32BE(20)];
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s configuration schema', async () => {
    const { validateConfiguration } = (await import(
      path.join(ROOT, 'node_modules/app-builder-lib/out/util/config/config.js')
    )) as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
    const { DebugLogger } = (await import(path.join(ROOT, 'node_modules/builder-util/out/util.js'))) as {
      DebugLogger: new (enabled: boolean) => unknown;
    };
    await validateConfiguration(builder, new DebugLogger(false));
    await expect(
      validateConfiguration({ ...builder, unknownKey: 1 }, new DebugLogger(false)),
    ).rejects.toThrow(/unknownKey/);
  });

  it('names the app and builds AppImage + deb, dmg, nsis', () => {
    expect(builder.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(builder.productName).toBe('Switchyard');
    expect(builder.linux.target).toEqual(['AppImage', 'deb']);
    expect(builder.mac.target).toEqual(['dmg']);
    expect(builder.win.target).toEqual(['nsis']);
  });

  it('ships only the built output, with the main entry and preload in it', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/electron/main.js');
    const files = builder.files;
    expect(files).toContain('dist/electron/preload.cjs');
    expect(files).toContain('!dist/**/*.map');
    for (const pattern of files.filter((f) => !f.startsWith('!'))) {
      expect(pattern, pattern).toMatch(/^(package\.json|dist\/|resources\/(tray|icons)\/)/);
    }
  });

  it('rebuilds better-sqlite3 for Electron and unpacks it from the asar', () => {
    expect(builder.npmRebuild).toBe(true);
    expect(builder.asar).toBe(true);
    expect(builder.asarUnpack).toContain('node_modules/better-sqlite3/**');
  });

  it('flips the Electron fuses', () => {
    expect(builder.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('takes its icons from resources/', () => {
    expect(builder.directories.buildResources).toBe('resources');
    for (const icon of [builder.mac.icon, builder.win.icon, builder.linux.icon])
      expect(existsSync(path.join(ROOT, icon)), icon).toBe(true);
    expect(pngSize(path.join(ROOT, builder.mac.icon))).toEqual([1024, 1024]);
  });
});

describe('icons', () => {
  const tray = path.join(ROOT, 'resources/tray');
  it.each(TRAY_STATES)('tray %s: coloured and template PNGs at 16 and 32 px, beside their SVG', (state) => {
    for (const name of [state, `${state}Template`]) {
      expect(existsSync(path.join(tray, `${name}.svg`))).toBe(true);
      expect(pngSize(path.join(tray, `${name}.png`))).toEqual([16, 16]);
      expect(pngSize(path.join(tray, `${name}@2x.png`))).toEqual([32, 32]);
    }
    // A template image is black with alpha only: the OS tints it for the menu bar.
    expect(readFileSync(path.join(tray, `${state}Template.svg`), 'utf8')).not.toMatch(
      /#(?!000\b)[0-9a-f]{3,6}/i,
    );
  });

  it('app icons at the Linux sizes, from icon.svg', () => {
    expect(existsSync(path.join(ROOT, 'resources/icon.svg'))).toBe(true);
    for (const size of [16, 32, 48, 64, 128, 256, 512])
      expect(pngSize(path.join(ROOT, `resources/icons/${size}x${size}.png`))).toEqual([size, size]);
  });
});

describe('layering', () => {
  const runtimeImportsOf = (file: string) => {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const out: string[] = [];
    const visit = (node: ts.Node) => {
      if (
        ts.isImportDeclaration(node) &&
        !node.importClause?.isTypeOnly &&
        ts.isStringLiteral(node.moduleSpecifier)
      )
        out.push(node.moduleSpecifier.text);
      if (
        ts.isCallExpression(node) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
          (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      )
        out.push(node.arguments[0].text);
      ts.forEachChild(node, visit);
    };
    visit(source);
    return out;
  };
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (e.name === 'node_modules' || e.name.startsWith('.')) return [];
      const full = path.join(dir, e.name);
      return e.isDirectory()
        ? sources(full)
        : /\.(c|m)?tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')
          ? [full]
          : [];
    });
  const isElectron = (s: string) => s === 'electron' || s.startsWith('electron/');

  it('only electron/main.ts and electron/preload.ts import electron at run time', () => {
    const importers = sources(path.join(ROOT, 'electron'))
      .filter((f) => runtimeImportsOf(f).some(isElectron))
      .map((f) => path.relative(ROOT, f))
      .sort();
    expect(importers).toEqual(['electron/main.ts', 'electron/preload.ts']);
  });

  it('nothing outside electron/ imports electron', () => {
    const outside = ['common', 'core', 'renderer', 'test'].flatMap((d) =>
      existsSync(path.join(ROOT, d)) ? sources(path.join(ROOT, d)) : [],
    );
    const importers = outside
      .filter((f) => runtimeImportsOf(f).some(isElectron))
      .map((f) => path.relative(ROOT, f));
    expect(importers).toEqual([]);
  });

  it('the preload bundle has no Node or engine code: only electron, channel names, the bridge and common/', () => {
    const visited = new Set<string>();
    const packages = new Set<string>();
    const walk = (file: string) => {
      if (visited.has(file)) return;
      visited.add(file);
      for (const spec of runtimeImportsOf(file)) {
        if (spec.startsWith('.')) walk(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
        else packages.add(spec);
      }
    };
    walk(path.join(ROOT, 'electron/preload.ts'));
    const files = [...visited].map((f) => path.relative(ROOT, f)).sort();
    // common/ is the contract (the method table the bridge is generated from). Its schemas are
    // functions of zod, built only where arguments are validated, so the preload loads no zod.
    expect(files.filter((f) => !f.startsWith('common/'))).toEqual([
      'electron/ipc-channels.ts',
      'electron/preload-bridge.ts',
      'electron/preload.ts',
    ]);
    expect(files).toContain('common/control/client.ts');
    expect([...packages]).toEqual(['electron']);
    expect(files).not.toContain('common/control/validate.ts');
  });
});
