// Test connection: connect to a backend the user is describing (not registered), negotiate the era,
// list its tools and close, all within the backend's own timeout. It is the same connection code
// the registry uses (BackendConnection), so what the test says is what adding it would do.
import type { BackendTestResult } from '../../common/control/backend-edit.js';
import type { BackendSpec } from '../domain/backend-spec.js';
import { BackendConnection, type ConnectionOptions } from './backend-connection.js';

/** One connection attempt, no retry: the first `ready` or `down` decides. */
export async function probeBackend(
  spec: BackendSpec,
  options: ConnectionOptions,
): Promise<BackendTestResult> {
  // No health pings and no retries for a probe: the first failure is the answer.
  const connection = new BackendConnection(spec, {
    ...options,
    healthIntervalMs: 2 ** 30,
    backoff: { ...options.backoff, initialMs: 2 ** 30, maxMs: 2 ** 30 },
  });
  let timer: NodeJS.Timeout | undefined;
  let off: (() => void) | undefined;
  try {
    return await new Promise<BackendTestResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            tools: [],
            error: `no answer within ${spec.timeoutMs} ms (the backend's timeout)`,
          }),
        spec.timeoutMs,
      );
      off = connection.statusChanged.on((status) => {
        if (status.state === 'ready') {
          resolve({
            ok: true,
            ...(status.era ? { era: status.era } : {}),
            ...(status.protocolVersion ? { protocolVersion: status.protocolVersion } : {}),
            ...(status.serverInfo ? { serverInfo: status.serverInfo } : {}),
            tools: (connection.catalog?.tools ?? []).map((t) => t.name),
          });
        } else if (status.state === 'down') {
          resolve({ ok: false, tools: [], error: status.lastError?.message ?? 'the backend is down' });
        }
      });
      connection.start();
    });
  } finally {
    clearTimeout(timer);
    off?.();
    await connection.stop();
  }
}
