// The dashboard's Content-Security-Policy, in one place for the two sides that state it: the built
// page declares PAGE_CSP in a <meta> (renderer/vite.config.ts), and `switchyard serve` sends
// DASHBOARD_CSP as a header (core/gateway/static-files.ts). The desktop window's own, stricter
// header is electron/hardening.ts's WINDOW_CSP.

/** What the page may do: talk to its own server only, run only its own scripts, no eval. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The header: the page's policy, and not framable (frame-ancestors cannot be set from a <meta>). */
export const DASHBOARD_CSP = `${PAGE_CSP}; frame-ancestors 'none'`;
