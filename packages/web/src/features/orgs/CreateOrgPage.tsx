import { useState, type SyntheticEvent } from 'react';
import { useSession } from '../../app/session.js';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { errorMessage } from '../../components/errors.js';
import { AuthLayout } from '../auth/AuthLayout.js';

export function CreateOrgPage() {
  const { rest, refresh, memberships } = useSession();
  const [name, setName] = useState('');
  const [handle, setHandle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    try {
      const { org } = await rest.createOrg({ name, ...(handle ? { handle } : {}) });
      await refresh();
      navigate(paths.org(org.id));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <AuthLayout title="Create an organisation">
      <form className="form" onSubmit={(e) => { void submit(e); }}>
        <label>Organisation name <input value={name} onChange={(e) => { setName(e.target.value); }} required autoFocus /></label>
        <label>Your handle (optional) <input value={handle} onChange={(e) => { setHandle(e.target.value); }} placeholder="e.g. sam" /></label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="primary">Create</button>
      </form>
      {memberships?.[0] && <p><a href={paths.org(memberships[0].org.id)}>Back to {memberships[0].org.name}</a></p>}
    </AuthLayout>
  );
}
