import { useState, type SyntheticEvent } from 'react';
import { useSession } from '../../app/session.js';
import { Link } from '../../app/router.js';
import { errorMessage } from '../../components/errors.js';
import { AuthLayout } from './AuthLayout.js';

export function SignupPage() {
  const { rest, signIn } = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    try {
      signIn(await rest.signUp({ email, password, display_name: name }));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <AuthLayout title="Create your account">
      <form className="form" onSubmit={(e) => { void submit(e); }}>
        <label>Your name <input autoComplete="name" value={name} onChange={(e) => { setName(e.target.value); }} required autoFocus /></label>
        <label>Email <input type="email" autoComplete="email" value={email} onChange={(e) => { setEmail(e.target.value); }} required /></label>
        <label>Password <input type="password" autoComplete="new-password" minLength={8} value={password} onChange={(e) => { setPassword(e.target.value); }} required /></label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="primary">Create account</button>
      </form>
      <p>Have an account? <Link to={`/login${location.search}`}>Sign in</Link></p>
    </AuthLayout>
  );
}
