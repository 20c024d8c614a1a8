import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import type { DocDiff } from '@chorus/sdk';
import { DiffView } from './DiffView.js';

afterEach(cleanup);

const diff: DocDiff = {
  doc_id: 'd1',
  from: 1,
  to: 2,
  title: { from: 'Runbook', to: 'Deploy runbook' },
  unified: '',
  hunks: [{ old_start: 1, old_lines: 3, new_start: 1, new_lines: 3, lines: [' # Steps', '-Deploy on Friday', '+Deploy on Tuesday <script>alert(1)</script>', ' Check the dashboards'] }],
};

describe('DiffView', () => {
  it('shows the title change and marks each line added, removed or unchanged', () => {
    render(<DiffView diff={diff} />);
    expect(screen.getByRole('region', { name: 'Changes from revision 1 to 2' })).toBeTruthy();
    expect(screen.getByText('Runbook').tagName).toBe('DEL');
    expect(screen.getByText('Deploy runbook').tagName).toBe('INS');
    expect(screen.getByLabelText('removed: Deploy on Friday').className).toContain('diff-del');
    expect(screen.getByLabelText('unchanged: # Steps').className).toContain('diff-ctx');
    const added = screen.getByLabelText('added: Deploy on Tuesday <script>alert(1)</script>');
    expect(added.className).toContain('diff-add');
    // Markup in a body is text, never elements.
    expect(added.textContent).toBe('Deploy on Tuesday <script>alert(1)</script>');
    expect(document.querySelector('.diff-view script')).toBeNull();
  });

  it('says so when nothing changed', () => {
    render(<DiffView diff={{ ...diff, title: { from: 'A', to: 'A' }, hunks: [] }} />);
    expect(screen.getByText('No changes between these revisions.')).toBeTruthy();
  });
});
