// `switchyard changes`: tool definitions that changed (or appeared, under `newTools: hold`) and
// wait for the user's review, from a running gateway's /api/changes; `approve|reject ID` decides.
import { parseArgs } from 'node:util';
import type { Finding, PendingChange } from '../../common/domain/integrity.js';
import { API_FLAGS, callApi, UsageError, type Io } from './common.js';

export async function changesCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...API_FLAGS, json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const [action, id, ...extra] = positionals;
  if (action === undefined) {
    const answer = await callApi(values, io, '/api/changes');
    if (!answer.ok) return fail(io, answer.message);
    const changes = answer.body as PendingChange[];
    io.stdout.write(values.json ? `${JSON.stringify(changes, null, 2)}\n` : formatChanges(changes));
    return 0;
  }
  if (action !== 'approve' && action !== 'reject') {
    throw new UsageError(`unknown changes action "${action}" (approve or reject)`);
  }
  if (!id || extra.length) throw new UsageError(`usage: switchyard changes ${action} ID`);
  const answer = await callApi(values, io, `/api/changes/${encodeURIComponent(id)}/decision`, {
    method: 'POST',
    body: { decision: action },
  });
  if (!answer.ok) return fail(io, answer.message);
  const decided = answer.body as PendingChange | undefined;
  if (values.json) io.stdout.write(`${JSON.stringify(decided ?? null, null, 2)}\n`);
  else {
    const what = decided ? `${decided.backend}/${decided.tool}` : id;
    io.stdout.write(
      action === 'approve'
        ? `Approved ${what}: its new definition is pinned and it is listed again.\n`
        : `Rejected ${what}: it stays held until its definition returns to the approved one.\n`,
    );
  }
  return 0;
}

function fail(io: Io, message: string): number {
  io.stderr.write(`${message}\n`);
  return 1;
}

function findingLine(f: Finding): string {
  const where = f.path ? `${f.path}: ` : '';
  const excerpt = f.excerpt ? `  "${f.excerpt}"` : '';
  return `      ${f.severity.padEnd(6)} ${f.kind.padEnd(19)} ${where}${f.message}${excerpt}`;
}

export function formatChanges(changes: readonly PendingChange[]): string {
  if (changes.length === 0) return 'No tool changes awaiting review.\n';
  const pending = changes.filter((c) => c.decision === undefined).length;
  const lines = [
    `${changes.length} tool change${changes.length === 1 ? '' : 's'} held (${pending} awaiting review):`,
  ];
  for (const c of changes) {
    const state = c.decision === 'reject' ? 'rejected, held' : c.kind === 'new' ? 'new' : 'changed';
    const seen = new Date(c.seenAt).toISOString().replace('T', ' ').slice(0, 16);
    const findings = c.findings.length
      ? `${c.findings.length} finding${c.findings.length === 1 ? '' : 's'}`
      : 'no findings (not an approval)';
    lines.push(
      `  ${c.id}  ${state.padEnd(14)} ${c.capability} ${c.backend}/${c.tool}  seen ${seen} UTC  ${findings}`,
    );
    for (const f of c.findings) lines.push(findingLine(f));
  }
  lines.push('', 'Review: switchyard changes approve ID | switchyard changes reject ID (or the dashboard)');
  return `${lines.join('\n')}\n`;
}
