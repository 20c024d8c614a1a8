import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog> element: focus trapped (showModal makes the rest of the
 * page inert), Escape closes, and focus goes back to what had it before, when that is still there.
 * Mark the field to start in with `data-autofocus`.
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // What had focus before the dialog (read while rendering: by the effects, a field of the dialog has it).
  const [opener] = useState(() => document.activeElement);
  useEffect(() => {
    const where = location.pathname;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
    // showModal focuses the first control (the close button); a field marked data-autofocus is where typing starts.
    // (React's autoFocus cannot do it: it runs while the dialog is still closed, so not focusable.)
    dialog?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      // A dialog that took the person elsewhere (the quick switcher) leaves focus to the new screen.
      const lost = document.activeElement === null || document.activeElement === document.body || dialog?.contains(document.activeElement);
      if (lost && location.pathname === where && opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, [opener]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>✕</button>
      </header>
      {children}
    </dialog>
  );
}
