// How one definition differs from another, as a list: changed fields, then the property-level
// schema diff (lib/schema-diff.ts). The Conflicts view compares two backends' candidates with it,
// the Changes view the approved and the new definition of one tool.
import type { DefinitionDiff } from '../lib/schema-diff.js';
import { describeChange } from '../lib/schema-diff.js';

export function DiffList({ diff, reference }: { diff: DefinitionDiff; reference: string }) {
  if (diff.identical) return <p className="diff-same">Same definition as {reference}</p>;
  return (
    <div className="diff" aria-label={`Differences from ${reference}`}>
      <p className="diff-title">Differs from {reference}:</p>
      <ul>
        {diff.fields.map((f) => (
          <li key={`f-${f.field}`} className="diff-changed">
            ~ {f.field} differs
          </li>
        ))}
        {diff.schema.map((change, i) => (
          <li key={`s-${i}`} className={`diff-${change.kind}`}>
            {describeChange(change)}
          </li>
        ))}
        {diff.output.map((change, i) => (
          <li key={`o-${i}`} className={`diff-${change.kind}`}>
            output: {describeChange(change)}
          </li>
        ))}
      </ul>
    </div>
  );
}
