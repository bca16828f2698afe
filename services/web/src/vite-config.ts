import react from '@vitejs/plugin-react';
import type { InlineConfig } from 'vite';
import { CLIENT_DIR } from './paths';

/**
 * The one Vite configuration (no vite.config file: this is type-checked with
 * the rest of the server code). The client talks to the API on its own
 * origin, so a build needs no gateway address; `base: '/'` because the
 * gateway serves the UI at the root.
 */
export function viteConfig(outDir: string): InlineConfig {
  return {
    configFile: false,
    root: CLIENT_DIR,
    base: '/',
    logLevel: 'warn',
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      // recharts is most of the bundle; it is loaded only by the operator page (a lazy route).
      chunkSizeWarningLimit: 600,
    },
  };
}
