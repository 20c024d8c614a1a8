import { useState, type SyntheticEvent } from 'react';
import { useSession } from '../../app/session.js';
import { Link } from '../../app/router.js';
import { errorMessage } from '../../components/errors.js';
import { AuthLayout } from './AuthLayout.js';

export function LoginPage() {
  const { rest, signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    try {
      signIn(await rest.logIn({ email, password }));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <AuthLayout title="Sign in">
      <form className="form" onSubmit={(e) => { void submit(e); }}>
        <label>Email <input type="email" autoComplete="email" value={email} onChange={(e) => { setEmail(e.target.value); }} required autoFocus /></label>
        <label>Password <input type="password" autoComplete="current-password" value={password} onChange={(e) => { setPassword(e.target.value); }} required /></label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="primary">Sign in</button>
      </form>
      <p>New here? <Link to={`/signup${location.search}`}>Create an account</Link></p>
    </AuthLayout>
  );
}
