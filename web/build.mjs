// Bundles the console's scripts into the Go binary's embedded static folder.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';

const out = '../internal/web/static/dist';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/app.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outfile: `${out}/app.js`,
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(`${out}/.built`, new Date().toISOString() + '\n');
