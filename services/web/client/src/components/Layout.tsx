import { NavLink, Outlet, useNavigate } from 'react-router';
import { Toasts } from '../notifications/Toasts';
import { hasRole, useSession } from '../session/session';

export function Layout() {
  const { session, signOut } = useSession();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="site-header">
        <NavLink to="/" className="brand">E-Ticket</NavLink>
        <nav aria-label="Main">
          <ul>
            <li><NavLink to="/" end>Events</NavLink></li>
            {session === undefined ? null : <li><NavLink to="/tickets">My tickets</NavLink></li>}
            {hasRole(session, 'organizer') || hasRole(session, 'admin') ? <li><NavLink to="/organizer">Organizer</NavLink></li> : null}
            {hasRole(session, 'admin') ? <li><NavLink to="/operator">Operator</NavLink></li> : null}
          </ul>
        </nav>
        <div className="account">
          {session === undefined ? (
            <>
              <NavLink to="/login">Sign in</NavLink>
              <NavLink to="/register" className="button-link">Register</NavLink>
            </>
          ) : (
            <>
              <span className="account-email" data-testid="signed-in-as">{session.user.email}</span>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  signOut();
                  void navigate('/');
                }}
              >
                Sign out
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <Toasts />
    </>
  );
}
