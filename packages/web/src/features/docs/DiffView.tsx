import type { DocDiff } from '@chorus/sdk';

const lineClass: Record<string, string> = { '+': 'diff-add', '-': 'diff-del', ' ': 'diff-ctx' };
const lineName: Record<string, string> = { '+': 'added', '-': 'removed', ' ': 'unchanged' };

/**
 * A doc diff as the server computes it (`GET /docs/:id/diff`): the title change, then each hunk's
 * lines marked added, removed or unchanged. Lines are text (React escapes them): a body holding
 * markup shows as written.
 */
export function DiffView({ diff }: { diff: DocDiff }) {
  const titleChanged = diff.title.from !== diff.title.to;
  return (
    <section className="diff-view" aria-label={`Changes from revision ${diff.from} to ${diff.to}`}>
      {titleChanged && (
        <p className="diff-title">
          Title: <del>{diff.title.from}</del> → <ins>{diff.title.to}</ins>
        </p>
      )}
      {diff.hunks.length === 0 && <p className="muted">{titleChanged ? 'The body did not change.' : 'No changes between these revisions.'}</p>}
      {diff.hunks.map((hunk) => (
        <pre className="diff" key={`${hunk.old_start}:${hunk.new_start}`}>
          <span className="diff-hunk-header diff-line">@@ −{hunk.old_start},{hunk.old_lines} +{hunk.new_start},{hunk.new_lines} @@</span>
          {hunk.lines.map((line, i) => {
            const sign = line.slice(0, 1);
            return (
              <span key={i} className={`diff-line ${lineClass[sign] ?? 'diff-ctx'}`} data-sign={sign === ' ' ? '' : sign} aria-label={`${lineName[sign] ?? 'note'}: ${line.slice(1)}`}>
                {line.slice(1)}
              </span>
            );
          })}
        </pre>
      ))}
    </section>
  );
}
