// `switchyard status`: what a running gateway is doing.
import { parseArgs } from 'node:util';
import type { Snapshot } from '../../common/control/snapshot.js';
import { callApi, type Io } from './common.js';

export async function status(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const answer = await callApi(values, io, '/api/status');
  if (!answer.ok) {
    io.stderr.write(`${answer.message}\n`);
    return 1;
  }
  const snapshot = answer.body as Snapshot;
  if (values.json) {
    io.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatStatus(snapshot));
  return 0;
}

export function formatStatus(s: Snapshot): string {
  const lines: string[] = [];
  lines.push(
    `Switchyard ${s.version}: ${s.gateway.paused ? 'paused (clients stay connected; calls are refused until resumed)' : s.gateway.state}${s.gateway.url ? ` at ${s.gateway.url}` : ''} (auth ${s.gateway.auth})`,
  );
  lines.push(
    `Serving ${s.counts.tools} tools, ${s.counts.prompts} prompts, ${s.counts.resources} resources to ${s.counts.sessions} session${s.counts.sessions === 1 ? '' : 's'}; conflict strategy: ${s.strategy}`,
  );
  if (s.config?.error) {
    const e = s.config.error;
    const where = `${s.config.file ?? 'config'}${e.line !== undefined ? `:${e.line}:${e.column ?? 1}` : ''}`;
    lines.push(
      `Config: ${where}  ${e.path ? `${e.path}: ` : ''}${e.message} (edit not applied; the running config is kept)`,
    );
  }
  if (s.config?.restartNeeded?.length)
    lines.push(`Config: changed keys apply after a restart: ${s.config.restartNeeded.join(', ')}`);
  for (const source of s.discovery ?? []) lines.push(`Containers: ${source.summary}`);
  const refused = s.gateway.refusals?.lastHour;
  if (refused && Object.values(refused).some((n) => n > 0)) {
    const parts = Object.entries(refused)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${n} ${reason}`);
    lines.push(`Refused in the last hour: ${parts.join(', ')} (bad Host/Origin or token)`);
  }
  lines.push('');
  lines.push(
    s.backends.length
      ? 'Backends:'
      : 'Backends: none (add some to the config file, or start a container labelled mcp.enable=true)',
  );
  for (const b of s.backends) {
    const state = b.enabled ? b.state : 'disabled';
    const counts = `${b.counts.tools} tools, ${b.counts.prompts} prompts, ${b.counts.resources} resources`;
    lines.push(
      `  ${b.name.padEnd(20)} ${state.padEnd(10)} ${b.transport.padEnd(16)} ${counts}${b.era ? `  [${b.era} ${b.protocolVersion}]` : ''}`,
    );
    if (b.state !== 'ready' && b.lastError)
      lines.push(`  ${''.padEnd(20)} last error: ${b.lastError.message}`);
  }
  const open = s.conflicts.filter((c) => c.open);
  if (s.conflicts.length) {
    lines.push('');
    lines.push(`Conflicts: ${s.conflicts.length} (${open.length} open)`);
    for (const c of s.conflicts) {
      const who = c.candidates.map((x) => `${x.backend}→${x.advertisedAs ?? 'hidden'}`).join(', ');
      lines.push(`  ${c.open ? '!' : ' '} ${c.kind} "${c.name}": ${who}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
