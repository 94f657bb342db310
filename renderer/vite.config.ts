// Builds the dashboard (renderer/) into dist/renderer with relative asset paths, so the same files
// work at `/` from `switchyard serve` and from a custom protocol or file URL in the Electron window.
// This file runs in Node (build tooling); everything under renderer/src is browser code.
import { defineConfig, type Plugin } from 'vite';
import { PAGE_CSP } from '../common/security/csp.js';

/**
 * The built page declares its policy itself (common/security/csp.ts): no inline scripts, no eval,
 * styles only from files. The server and the Electron window add frame-ancestors in their headers.
 */
export function contentSecurityPolicy(): Plugin {
  return {
    name: 'switchyard-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: PAGE_CSP },
        injectTo: 'head-prepend',
      },
    ],
  };
}

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  // JSX through Vite's own transform (no React plugin: no fast-refresh preamble, nothing inline).
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  plugins: [contentSecurityPolicy()],
  build: {
    outDir: `${here}/../dist/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The preload polyfill would be inline-free anyway, but no browser we target needs it.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev:renderer` against a running `switchyard serve` on the default port.
    // The gateway only accepts its own loopback origin, so the dev server's Origin header is dropped.
    proxy: {
      '/api': {
        target: process.env.SWITCHYARD_URL ?? 'http://127.0.0.1:4750',
        changeOrigin: true,
        configure: (proxy) => proxy.on('proxyReq', (request) => request.removeHeader('origin')),
      },
    },
  },
});
