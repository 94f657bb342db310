// What a source of backends reports about itself (shown in the dashboard's header).

export interface SourceStatus {
  /** e.g. "docker". */
  kind: string;
  /** Human-readable state: "Podman 5.4.2 at unix:///run/podman/podman.sock", "no container engine found". */
  summary: string;
  ok: boolean;
  detail?: Record<string, unknown>;
}
