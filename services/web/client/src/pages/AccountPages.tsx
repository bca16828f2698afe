import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/endpoints';
import { ErrorNotice } from '../components/feedback';
import { usePageTitle } from '../lib/page-title';
import { useSession } from '../session/session';

/** Only a path on this site may be a destination after signing in (no open redirect). */
function safeNext(next: string | null): string {
  return next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function useAccountForm(submit: (email: string, password: string) => Promise<void>) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    submit(email, password).catch(setError).finally(() => setBusy(false));
  };
  return { email, setEmail, password, setPassword, busy, error, onSubmit };
}

export function LoginPage() {
  usePageTitle('Sign in');
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const form = useAccountForm(async (email, password) => {
    signIn(await api.login(email, password));
    await navigate(safeNext(params.get('next')));
  });
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={form.onSubmit} aria-describedby={form.error === undefined ? undefined : 'login-error'}>
        <label htmlFor="login-email">Email</label>
        <input id="login-email" type="email" autoComplete="email" required value={form.email} onChange={(event) => form.setEmail(event.target.value)} />
        <label htmlFor="login-password">Password</label>
        <input id="login-password" type="password" autoComplete="current-password" required value={form.password} onChange={(event) => form.setPassword(event.target.value)} />
        <button type="submit" disabled={form.busy}>{form.busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      {form.error === undefined ? null : <div id="login-error"><ErrorNotice error={form.error} /></div>}
      <p>
        New here?
        {' '}
        <Link to={`/register${params.has('next') ? `?next=${encodeURIComponent(params.get('next') ?? '/')}` : ''}`}>Create an account</Link>
      </p>
    </section>
  );
}

export function RegisterPage() {
  usePageTitle('Create an account');
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const form = useAccountForm(async (email, password) => {
    await api.register(email, password);
    // Registered: sign in at once with the same credentials.
    signIn(await api.login(email, password));
    await navigate(safeNext(params.get('next')));
  });
  return (
    <section className="narrow">
      <h1>Create an account</h1>
      <form onSubmit={form.onSubmit}>
        <label htmlFor="register-email">Email</label>
        <input id="register-email" type="email" autoComplete="email" required value={form.email} onChange={(event) => form.setEmail(event.target.value)} />
        <label htmlFor="register-password">Password</label>
        <input
          id="register-password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          maxLength={128}
          aria-describedby="password-hint"
          value={form.password}
          onChange={(event) => form.setPassword(event.target.value)}
        />
        <p id="password-hint" className="hint">At least 10 characters; not a common password and not your email address.</p>
        <button type="submit" disabled={form.busy}>{form.busy ? 'Creating your account…' : 'Create account'}</button>
      </form>
      {form.error === undefined ? null : <ErrorNotice error={form.error} />}
      <p>
        Already registered?
        {' '}
        <Link to="/login">Sign in</Link>
      </p>
    </section>
  );
}
