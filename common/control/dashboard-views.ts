// The dashboard's views, by the name its address carries (`#/<view>`) and the desktop's tray asks
// the window to open: one list for the renderer's router and the preload's check of that request.
export const DASHBOARD_VIEWS = [
  'backends',
  'tools',
  'conflicts',
  'changes',
  'audit',
  'sessions',
  'connect',
] as const;
export type DashboardView = (typeof DASHBOARD_VIEWS)[number];
