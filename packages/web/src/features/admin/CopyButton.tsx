import { useState } from 'react';

/** Copies `text` to the clipboard and says so (for screen readers too). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = () => {
    navigator.clipboard.writeText(text).then(() => { setCopied(true); }, () => { setCopied(false); });
  };
  return (
    <>
      <button type="button" onClick={copy}>{label}</button>
      <span role="status" className="muted">{copied === true ? 'Copied.' : copied === false ? 'Copy failed: select the text and copy it.' : ''}</span>
    </>
  );
}
