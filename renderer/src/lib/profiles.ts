// Sentences about a profile for the dashboard: what its client will see against what it accepts.
import type { ProfileReport } from '../contract.js';

const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

/** "Cursor will see 112 tools; its limit is 80." and the like. */
export function profileSentence(report: ProfileReport): string {
  const who = report.client === 'generic' ? `Clients of ${report.endpointPath}` : report.clientLabel;
  if (report.search) {
    return `${who} will see find_tools and call_tool (search mode), reaching ${plural(report.reachable, 'tool')}.`;
  }
  const sees = `${who} will see ${plural(report.advertised, 'tool')}`;
  if (report.clientLimit === null) return `${sees}.`;
  const limit = report.limitKind === 'soft' ? 'it warns past' : 'its limit is';
  return `${sees}; ${limit} ${report.clientLimit.toLocaleString('en')}.`;
}

/** Whether the client will get more tools than it accepts (a budget above its limit). */
export function overLimit(report: ProfileReport): boolean {
  return !report.search && report.clientLimit !== null && report.advertised > report.clientLimit;
}
