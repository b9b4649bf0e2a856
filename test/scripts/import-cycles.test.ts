import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

// main/ has no import cycles, type-only imports included: a cycle means two modules share a
// shape one of them should not own, and it grows into load-order bugs. Move the shared part
// into its own module instead.

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The files under `root` a file imports or re-exports by a relative path (`import()` included). */
function localImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const base = resolve(dirname(file), name.replace(/\.[cm]?js$/, ''));
      return [`${base}.ts`, join(base, 'index.ts'), base].find((c) => existsSync(c) && statSync(c).isFile());
    })
    .filter((path): path is string => path !== undefined);
}

/** Every cycle found by a depth-first walk, as `a.ts -> b.ts -> a.ts` relative to `root`. */
function importCycles(root: string): string[] {
  const files = sourceFiles(root);
  const graph = new Map(files.map((file) => [file, localImports(file)]));
  const done = new Set<string>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const at = stack.indexOf(next);
      if (at >= 0) cycles.push([...stack.slice(at), next].map((f) => relative(root, f)).join(' -> '));
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    done.add(file);
  };
  for (const file of files) if (!done.has(file)) visit(file);
  return cycles;
}

describe('import cycles', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'xlab-cycles-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds a cycle through a type-only import and a re-export', () => {
    writeFileSync(join(scratch, 'a.ts'), "import type { B } from './b';\nexport type A = B[];\n");
    writeFileSync(join(scratch, 'b.ts'), "export { c } from './c';\nexport type B = number;\n");
    writeFileSync(join(scratch, 'c.ts'), "import { a } from './a';\nexport const c = a;\n");
    writeFileSync(join(scratch, 'd.ts'), "import { c } from './c';\nexport const d = c;\n");
    expect(importCycles(scratch)).toEqual(['a.ts -> b.ts -> c.ts -> a.ts']);
  });

  it('finds none in main/', () => {
    expect(importCycles(resolve('main'))).toEqual([]);
  });
});
