import { useEffect, useState } from 'react';
import { useSession } from '../../app/session.js';
import { Link, navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { errorMessage } from '../../components/errors.js';
import { AuthLayout } from './AuthLayout.js';

/** An invite link: what it leads to; signed-in people accept it, others sign up or in first and come back. */
export function InvitePage({ token }: { token: string }) {
  const { rest, token: session, refresh } = useSession();
  const [preview, setPreview] = useState<{ org: { name: string }; role: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [handle, setHandle] = useState('');
  useEffect(() => {
    rest.previewInvite(token).then(setPreview, (e: unknown) => { setError(errorMessage(e)); });
  }, [rest, token]);
  const accept = async () => {
    try {
      const { org } = await rest.acceptInvite(token, handle ? { handle } : {});
      await refresh();
      navigate(paths.org(org.id));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const here = encodeURIComponent(`/invite/${token}`);
  return (
    <AuthLayout title={preview ? `Join ${preview.org.name}` : 'Invitation'}>
      {preview && <p>You are invited as <strong>{preview.role}</strong>.</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
      {preview && session && (
        <form className="form" onSubmit={(e) => { e.preventDefault(); void accept(); }}>
          <label>Your handle in this org (optional) <input value={handle} onChange={(e) => { setHandle(e.target.value); }} placeholder="e.g. sam" /></label>
          <button type="submit" className="primary">Accept the invitation</button>
        </form>
      )}
      {preview && !session && (
        <p><Link to={`/signup?next=${here}`}>Create an account</Link> or <Link to={`/login?next=${here}`}>sign in</Link> to accept.</p>
      )}
    </AuthLayout>
  );
}
