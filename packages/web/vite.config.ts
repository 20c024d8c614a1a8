import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app's build. Workspace packages are read from their TypeScript
 * sources (the `source` export condition), so the app builds without their
 * `dist`. `npm run dev` proxies the API to a server on :3000.
 */
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['source', 'module', 'browser', 'development|production'] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  server: { proxy: { '/api': { target: 'http://localhost:3000', ws: true } } },
});
