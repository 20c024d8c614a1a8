import { useState } from 'react';

/** A one-line "why?" form (rejecting a result, flagging an entry): submits the trimmed reason, never an empty one. */
export function ReasonForm({ question, submit, onSubmit }: { question: string; submit: string; onSubmit: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  return (
    <form className="reject-form" onSubmit={(e) => { e.preventDefault(); if (reason.trim()) onSubmit(reason.trim()); }}>
      <label>{question} <input value={reason} onChange={(e) => { setReason(e.target.value); }} required maxLength={500} autoFocus /></label>
      <button type="submit" className="primary">{submit}</button>
    </form>
  );
}
