// Small inline SVG icons (decorative: aria-hidden; the controls carry their own labels).
import type { ReactNode } from 'react';

function Svg({ children }: { children: ReactNode }) {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export const CopyIcon = () => (
  <Svg>
    <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
    <path
      d="M11 3.5V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h.5"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
    />
  </Svg>
);

export const EyeIcon = ({ off = false }: { off?: boolean }) => (
  <Svg>
    <path d="M1 8s2.5-5 7-5 7 5 7 5-2.5 5-7 5-7-5-7-5z" fill="none" stroke="currentColor" strokeWidth="1.5" />
    <circle cx="8" cy="8" r="2" fill="currentColor" />
    {off ? <path d="M2 14L14 2" stroke="currentColor" strokeWidth="1.5" /> : null}
  </Svg>
);

export const RefreshIcon = () => (
  <Svg>
    <path d="M13 8a5 5 0 1 1-1.5-3.6M13 2.5v3h-3" fill="none" stroke="currentColor" strokeWidth="1.5" />
  </Svg>
);

export const PencilIcon = () => (
  <Svg>
    <path d="M10.5 2.5l3 3L5 14H2v-3z M9 4l3 3" fill="none" stroke="currentColor" strokeWidth="1.5" />
  </Svg>
);

export const CloseIcon = () => (
  <Svg>
    <path d="M3.5 3.5l9 9M12.5 3.5l-9 9" stroke="currentColor" strokeWidth="1.5" />
  </Svg>
);

export const LogoIcon = () => (
  <svg className="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
    <rect width="32" height="32" rx="7" fill="var(--accent)" />
    <path
      d="M7 10h6l6 12h6M7 22h6l2-4M19 14l2-4h4"
      fill="none"
      stroke="var(--accent-contrast)"
      strokeWidth="2.5"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  </svg>
);
