// Layer boundaries, checked on every import of every source file (eslint checks them too):
// core/ is Node-only (no electron, no UI libraries, nothing from renderer/ or electron/);
// renderer/ is browser code (no Node modules, no electron, nothing from electron/) and may only see
// core/ through `import type`; common/ (the contract every process shares) imports nothing but zod
// and its own files, so core/, electron/ and renderer/ may all import it, values included; in
// electron/, only main.ts and preload.ts load `electron` at run time (the rest is a testable adapter).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORE = path.join(ROOT, 'core');
const COMMON = path.join(ROOT, 'common');
const RENDERER = path.join(ROOT, 'renderer');
const ELECTRON = path.join(ROOT, 'electron');

const FORBIDDEN_IN_CORE = ['electron', 'react', 'react-dom', 'zustand'];
/** The only files that import `electron` at run time. */
const ELECTRON_ENTRIES = ['main.ts', 'preload.ts'].map((f) => path.join(ELECTRON, f));

/** `node:fs`, `fs`, `fs/promises`: a Node built-in module. */
function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
}

interface ImportRef {
  specifier: string;
  /** `import type` / `export type` / `import('x').T`: erased at compile time. */
  typeOnly: boolean;
  line: number;
}

/** Every module a file refers to: static imports/exports, import(), require(), import-equals, import types. */
function importsOf(fileName: string, text: string): ImportRef[] {
  const kind = fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const out: ImportRef[] = [];
  const add = (literal: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(literal)) return;
    const line = source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1;
    out.push({ specifier: literal.text, typeOnly, line });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal, true);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isDynamicImport || isRequire) add(node.arguments[0]!, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(c|m)?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The package a bare specifier names ("react-dom/client" → "react-dom", "@scope/x/y" → "@scope/x"). */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Where a relative or absolute specifier points, or undefined for packages. */
function resolvedPath(fromFile: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return path.resolve(path.dirname(fromFile), specifier);
  if (specifier.startsWith('/')) return path.resolve(specifier);
  return undefined;
}

function coreViolations(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const ref of importsOf(file, text)) {
    const where = `${path.relative(ROOT, file)}:${ref.line} imports "${ref.specifier}"`;
    const pkg = packageOf(ref.specifier);
    if (pkg && FORBIDDEN_IN_CORE.includes(pkg)) problems.push(`${where} (core/ never imports ${pkg})`);
    const target = resolvedPath(file, ref.specifier);
    if (target && (isInside(target, RENDERER) || isInside(target, ELECTRON))) {
      problems.push(`${where} (core/ must not import other layers)`);
    }
  }
  return problems;
}

function rendererViolations(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const ref of importsOf(file, text)) {
    const where = `${path.relative(ROOT, file)}:${ref.line} imports "${ref.specifier}"`;
    const target = resolvedPath(file, ref.specifier);
    if (target && isInside(target, CORE) && !ref.typeOnly) problems.push(`${where} without \`import type\``);
    if (ref.typeOnly) continue;
    if (isNodeBuiltin(ref.specifier)) problems.push(`${where} (renderer/ is browser code: no Node modules)`);
    if (packageOf(ref.specifier) === 'electron' || (target && isInside(target, ELECTRON)))
      problems.push(`${where} (renderer/ reaches electron only through the preload's window.switchyard)`);
  }
  return problems;
}

/** electron/: `electron` itself is loaded at run time only by the entry points. */
function electronViolations(file: string, text: string): string[] {
  if (ELECTRON_ENTRIES.includes(file)) return [];
  return importsOf(file, text)
    .filter((ref) => !ref.typeOnly && packageOf(ref.specifier) === 'electron')
    .map(
      (ref) =>
        `${path.relative(ROOT, file)}:${ref.line} imports "electron" (only main.ts and preload.ts do; pass its APIs in)`,
    );
}

/** common/ may import zod and its own files, nothing else (no node:, no packages, no other layer). */
function commonViolations(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const ref of importsOf(file, text)) {
    const where = `${path.relative(ROOT, file)}:${ref.line} imports "${ref.specifier}"`;
    const target = resolvedPath(file, ref.specifier);
    if (target !== undefined) {
      if (!isInside(target, COMMON)) problems.push(`${where} (common/ imports only its own files and zod)`);
    } else if (ref.specifier !== 'zod') {
      problems.push(`${where} (common/ imports only zod)`);
    }
  }
  return problems;
}

describe('the import scanner', () => {
  it('finds every kind of import and knows which are type-only', () => {
    const text = [
      "import a from 'pkg-a';",
      "import type { B } from 'pkg-b';",
      // Inline `type` specifiers still leave `import 'pkg-c'` behind under verbatimModuleSyntax.
      "import { type C } from 'pkg-c';",
      "import 'side-effect';",
      "export { d } from './d.js';",
      "export type { E } from './e.js';",
      "export * from 'pkg-f';",
      "const g = await import('pkg-g');",
      "const h = require('pkg-h');",
      "import i = require('pkg-i');",
      "type J = import('pkg-j').J;",
      '// import fake from "in-a-comment";',
      'const k = \'import x from "in-a-string"\';',
    ].join('\n');
    const refs = importsOf('sample.ts', text);
    expect(refs.map((r) => [r.specifier, r.typeOnly])).toEqual([
      ['pkg-a', false],
      ['pkg-b', true],
      ['pkg-c', false],
      ['side-effect', false],
      ['./d.js', false],
      ['./e.js', true],
      ['pkg-f', false],
      ['pkg-g', false],
      ['pkg-h', false],
      ['pkg-i', false],
      ['pkg-j', true],
    ]);
    expect(refs[3]!.line).toBe(4);
  });

  it('parses TSX', () => {
    const refs = importsOf(
      'view.tsx',
      "import { useState } from 'react';\nexport const V = () => <div />;\n",
    );
    expect(refs.map((r) => r.specifier)).toEqual(['react']);
  });

  it('flags forbidden packages and layer paths in core/', () => {
    const file = path.join(CORE, 'gateway', 'example.ts');
    const text = [
      "import { app } from 'electron';",
      "import { ipcMain } from 'electron/main';",
      "import React from 'react';",
      "import { createRoot } from 'react-dom/client';",
      "import { create } from 'zustand';",
      "import { Store } from '../../renderer/store.js';",
      "import { tray } from '../../electron/tray.js';",
      "import { ok } from '../config/load.js';",
      "import { fine } from 'react-query-but-not-react';",
      "import { reactive } from './react.js';",
    ].join('\n');
    const problems = coreViolations(file, text);
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).not.toContain('load.js');
    expect(problems.join('\n')).not.toContain('react-query');
    expect(problems.join('\n')).not.toContain('./react.js');
  });

  it('allows renderer/ to import core/ only as types', () => {
    const file = path.join(RENDERER, 'views', 'Backends.tsx');
    const text = [
      "import type { Conflict } from '../../core/domain/conflict.js';",
      "export type { Snapshot } from '../../core/control/snapshot.js';",
      "import { buildApp } from '../../core/app.js';",
      "import { type Pin } from '../../core/domain/conflict.js';",
      "import { create } from 'zustand';",
    ].join('\n');
    const problems = rendererViolations(file, text);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('core/app.js');
    expect(problems[1]).toContain(':4 ');
  });

  it('keeps renderer/ free of Node modules and electron, type imports aside', () => {
    const file = path.join(RENDERER, 'src', 'views', 'Backends.tsx');
    const text = [
      "import { readFile } from 'node:fs/promises';",
      "import path from 'path';",
      "import { ipcRenderer } from 'electron';",
      "import { createIpcBridge } from '../../../electron/preload-bridge.js';",
      "import type { IpcRendererLike } from '../../../electron/preload-bridge.js';",
      "import { create } from 'zustand';",
    ].join('\n');
    expect(rendererViolations(file, text).map((p) => p.split(' imports ')[1]!.split(' ')[0])).toEqual([
      '"node:fs/promises"',
      '"path"',
      '"electron"',
      '"../../../electron/preload-bridge.js"',
    ]);
  });

  it('lets only electron/main.ts and preload.ts load electron at run time', () => {
    const text = ["import { app } from 'electron';", "import type { BrowserWindow } from 'electron';"].join(
      '\n',
    );
    expect(electronViolations(path.join(ELECTRON, 'main.ts'), text)).toEqual([]);
    expect(electronViolations(path.join(ELECTRON, 'tray-wiring.ts'), text)).toEqual([
      'electron/tray-wiring.ts:1 imports "electron" (only main.ts and preload.ts do; pass its APIs in)',
    ]);
  });

  it('allows common/ only zod and itself, type imports included', () => {
    const file = path.join(COMMON, 'control', 'methods.ts');
    const text = [
      "import { z } from 'zod';",
      "import type { Snapshot } from './snapshot.js';",
      "import { AUDIT_OUTCOMES } from '../domain/audit-query.js';",
      "import { readFile } from 'node:fs';",
      "import type { App } from '../../core/app.js';",
      "import { ipcRenderer } from 'electron';",
      "import { useState } from 'react';",
      "import { Bridge } from '../../renderer/src/bridge/bridge.js';",
      "import { parse } from 'yaml';",
      "import { z as mini } from 'zod/mini';",
    ].join('\n');
    const problems = commonViolations(file, text);
    expect(problems.map((p) => p.split(' imports ')[1]!.split(' (')[0])).toEqual([
      '"node:fs"',
      '"../../core/app.js"',
      '"electron"',
      '"react"',
      '"../../renderer/src/bridge/bridge.js"',
      '"yaml"',
      '"zod/mini"',
    ]);
  });

  it('lets core/ and renderer/ import common/, values included', () => {
    const text = [
      "import { AUDIT_OUTCOMES } from '../../common/domain/audit-query.js';",
      "import { CONTROL_METHODS } from '../../common/control/methods.js';",
    ].join('\n');
    expect(coreViolations(path.join(CORE, 'control', 'example.ts'), text)).toEqual([]);
    expect(rendererViolations(path.join(RENDERER, 'src', 'example.ts'), text)).toEqual([]);
  });
});

describe('layer boundaries', () => {
  const coreFiles = sourceFiles(CORE);

  it('finds the core sources', () => {
    expect(coreFiles.length).toBeGreaterThan(10);
    expect(coreFiles.some((f) => f.endsWith(path.join('aggregate', 'build.ts')))).toBe(true);
  });

  it('core/ never imports electron, react, react-dom, zustand, renderer/ or electron/', () => {
    const problems = coreFiles.flatMap((file) => coreViolations(file, readFileSync(file, 'utf8')));
    expect(problems).toEqual([]);
  });

  it('common/ imports nothing but zod and its own files', () => {
    const files = sourceFiles(COMMON);
    expect(files.some((f) => f.endsWith(path.join('control', 'methods.ts')))).toBe(true);
    const problems = files.flatMap((file) => commonViolations(file, readFileSync(file, 'utf8')));
    expect(problems).toEqual([]);
  });

  it('renderer/src/ imports core/ only with `import type`, and no Node module or electron', () => {
    // renderer/vite.config.ts is the build's own config: it runs in Node, not in the page.
    const files = sourceFiles(path.join(RENDERER, 'src'));
    expect(files.some((f) => f.endsWith(path.join('src', 'main.tsx')))).toBe(true);
    const problems = files.flatMap((file) => rendererViolations(file, readFileSync(file, 'utf8')));
    expect(problems).toEqual([]);
  });

  it('electron/ loads electron at run time only in main.ts and preload.ts', () => {
    const files = sourceFiles(ELECTRON);
    expect(files).toContain(path.join(ELECTRON, 'main.ts'));
    const problems = files.flatMap((file) => electronViolations(file, readFileSync(file, 'utf8')));
    expect(problems).toEqual([]);
  });
});
