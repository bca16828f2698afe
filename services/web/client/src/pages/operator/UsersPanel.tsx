import { useState } from 'react';
import { api } from '../../api/endpoints';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice, Loading } from '../../components/feedback';
import { useAsync } from '../../lib/use-async';
import { useSession } from '../../session/session';

/** Admins grant the organizer role here (effective from the user's next sign-in). */
export function UsersPanel() {
  const { session } = useSession();
  const users = useAsync(() => api.listUsers(session?.token), session?.token ?? '');
  const [error, setError] = useState<unknown>(undefined);
  const grant = (id: string) => {
    setError(undefined);
    api.grantOrganizer(session?.token, id).then(users.reload, setError);
  };
  return (
    <>
      <h2>Users</h2>
      {error === undefined ? null : <ErrorNotice error={error} />}
      {users.error === undefined ? null : <ErrorNotice error={users.error} onRetry={users.reload} />}
      {users.data === undefined ? (users.loading ? <Loading label="Loading users…" /> : null) : (
        <DataTable caption={`${users.data.total} accounts (first ${users.data.items.length})`} columns={['Email', 'Roles', { hidden: 'Actions' }]}>
          {users.data.items.map((user) => (
            <tr key={user.id}>
              <th scope="row">{user.email}</th>
              <td>{user.roles.join(', ')}</td>
              <td>{user.roles.includes('organizer') ? null : <button type="button" className="secondary" onClick={() => grant(user.id)} aria-label={`Make ${user.email} an organizer`}>Make organizer</button>}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
