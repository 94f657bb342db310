// The backend-name rule as the form checks it before asking the engine (same as the config schema's).
export const BACKEND_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
export const NAME_PATTERN_TEXT =
  'Start with a letter or digit, then letters, digits, "_", "-" or "." (at most 63 characters).';
