import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'esbuild';

const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
/** `new URL('<relative>', import.meta.url)`: a file of ours that our code reads at run time. */
const ASSET_REFERENCE = /new URL\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g;
const FORBIDDEN = /\b(__dirname|__filename|import\.meta\.dirname|import\.meta\.filename)\b/;

const toPosix = (path: string) => path.split(sep).join('/');

/**
 * Bundling puts every module into one file, so `import.meta.url` would name
 * the bundle, not the source file, and `new URL('../proto', import.meta.url)`
 * would point nowhere. In our own source files (not node_modules) this plugin
 * replaces `import.meta.url` with the URL the source file would have in the
 * image — the image keeps the repository's layout under /app for the files
 * read at run time — and records every `new URL('<relative>', import.meta.url)`
 * target as an asset to copy there (protos, migrations, package.json).
 * esbuild has no option for either (its `define` is one value per bundle).
 */
export function relocateImportMetaUrl(root: string, outdir: string, assets: Set<string>): Plugin {
  return {
    name: 'eticket-relocate-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (FORBIDDEN.test(source)) throw new Error(`${relative(root, args.path)}: use new URL(..., import.meta.url); __dirname and import.meta.dirname cannot be relocated`);
        for (const match of source.matchAll(ASSET_REFERENCE)) {
          const target = resolve(dirname(args.path), match[2] ?? '');
          assets.add(toPosix(relative(root, target)));
        }
        const fromBundle = toPosix(relative(outdir, args.path));
        const contents = source.replace(IMPORT_META_URL, `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`);
        return { contents, loader: 'ts' };
      });
    },
  };
}
