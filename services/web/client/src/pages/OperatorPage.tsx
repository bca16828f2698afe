import { Link } from 'react-router';
import { api } from '../api/endpoints';
import { DataTable } from '../components/DataTable';
import { ErrorNotice, Loading, StatusBadge } from '../components/feedback';
import { usePageTitle } from '../lib/page-title';
import { formatBytes, readSystemStatus, type SystemView } from '../lib/system-status';
import { formatDateTime } from '../lib/time';
import { useAsync, useInterval } from '../lib/use-async';
import { hasRole, useSession } from '../session/session';
import { ReportCharts } from './operator/ReportCharts';
import { UsersPanel } from './operator/UsersPanel';

/** The operator page: the whole system from the gateway's /status, ETL runs and warehouse reports (admins). */
export default function OperatorPage() {
  usePageTitle('Operator');
  const { session } = useSession();
  const status = useAsync(async () => readSystemStatus(await api.gatewayStatus()), 'status');
  useInterval(status.reload, 5_000);
  if (!hasRole(session, 'admin')) return (
    <p>
      The operator page is for administrators.
      {' '}
      <Link to="/login?next=%2Foperator">Sign in</Link>
      {' '}
      with an admin account.
    </p>
  );
  return (
    <section className="operator">
      <h1>Operator</h1>
      {status.error === undefined ? null : <ErrorNotice error={status.error} onRetry={status.reload} />}
      {status.data === undefined ? <Loading label="Reading the system status…" /> : <SystemStatus view={status.data} />}
      <EtlRuns />
      <ReportCharts />
      <UsersPanel />
    </section>
  );
}

function SystemStatus({ view }: { view: SystemView }) {
  return (
    <>
      <p className="overall" data-testid="overall-status">
        System:
        {' '}
        <StatusBadge status={view.overall} />
        {` (seen by ${view.gateway}; refreshed every 5 s)`}
      </p>
      <h2>Service instances</h2>
      <DataTable testId="instances" caption="Every registered instance behind the gateway" columns={['Service', 'Instance', 'Health', 'Breaker', 'In flight', 'Dependencies', 'Version']}>
        {view.upstreams.flatMap((upstream) => (upstream.instances.length === 0
          ? [<NoInstanceRow key={upstream.name} name={upstream.name} error={upstream.error} />]
          : upstream.instances.map((instance) => (
              <tr key={`${upstream.name}/${instance.id}`} data-testid="instance-row">
                <th scope="row">{upstream.name}</th>
                <td>
                  {instance.id}
                  <br />
                  <small>{instance.origin}</small>
                </td>
                <td><StatusBadge status={instance.health} /></td>
                <td><StatusBadge status={instance.breaker} /></td>
                <td>{instance.inFlight}</td>
                <td>{instance.dependencies.map((dependency) => <span key={dependency.name} className={`dep dep-${dependency.status}`}>{dependency.name}</span>)}</td>
                <td>{instance.version}</td>
              </tr>
            ))))}
      </DataTable>
      <h2>PostgreSQL (User Service)</h2>
      {view.postgres === undefined ? <p>No User Service instance reports the cluster (PATRONI_REST_URLS unset, or no instance up).</p> : (
        <>
          <p>
            {'Primary '}
            <strong>{view.postgres.primary ?? 'none'}</strong>
            {', synchronous standby '}
            <strong>{view.postgres.synchronousStandby ?? 'none'}</strong>
            {view.postgres.error === undefined ? '' : ` — ${view.postgres.error}`}
          </p>
          <DataTable testId="postgres" caption="Nodes as Patroni sees them" columns={['Node', 'Role', 'State', 'Timeline', 'Lag', 'Address']}>
            {view.postgres.members.map((member) => (
              <tr key={member.name}>
                <th scope="row">{member.name}</th>
                <td>
                  {member.role}
                  {' '}
                  <small>
                    (
                    {member.patroniRole}
                    )
                  </small>
                </td>
                <td><StatusBadge status={member.state} /></td>
                <td>{member.timeline ?? '—'}</td>
                <td>{member.role === 'primary' ? '—' : formatBytes(member.lagBytes)}</td>
                <td>{member.address}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
      <h2>Cache</h2>
      {view.cache === undefined ? <p>The gateway has no shared cache configured.</p> : (
        <DataTable testId="cache-nodes" caption={`${view.cache.topology === 'ring' ? 'Sentinel ring' : 'Redis Cluster'} nodes`} columns={['Node', 'Role', 'Shard', 'Up']}>
          {view.cache.nodes.map((node) => (
            <tr key={node.address}>
              <th scope="row">{node.address}</th>
              <td>{node.role}</td>
              <td>{node.shard ?? '—'}</td>
              <td><StatusBadge status={node.up ? 'up' : 'down'} /></td>
            </tr>
          ))}
        </DataTable>
      )}
      {view.others.length === 0 ? null : (
        <ul className="components">
          {view.others.map((other) => (
            <li key={other.name}>
              <StatusBadge status={other.status} />
              {' '}
              <strong>{other.name}</strong>
              {' '}
              {other.detail}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function NoInstanceRow({ name, error }: { name: string; error: string | undefined }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td colSpan={6}>
        <StatusBadge status="down" />
        {' '}
        {error ?? 'no instance'}
      </td>
    </tr>
  );
}

function EtlRuns() {
  const { session } = useSession();
  const runs = useAsync(() => api.etlRuns(session?.token), session?.token ?? '');
  useInterval(runs.reload, 15_000);
  return (
    <>
      <h2>ETL runs</h2>
      {runs.error === undefined ? null : <ErrorNotice error={runs.error} onRetry={runs.reload} />}
      {runs.data === undefined ? (runs.loading ? <Loading label="Loading the ETL runs…" /> : null) : (
        <>
          <p>
            {`${runs.data.total} runs recorded; ${runs.data.quarantine.open} quarantined records open.`}
          </p>
          <DataTable testId="etl-runs" caption="Latest warehouse loads" columns={['Run', 'Started', 'Status', 'Mode', 'Extracted', 'Loaded', 'Quarantined', 'Duration']}>
            {runs.data.items.map((run) => (
              <tr key={run.id}>
                <th scope="row">
                  #
                  {run.id}
                </th>
                <td>{formatDateTime(run.started_at)}</td>
                <td>
                  <StatusBadge status={run.status} />
                  {run.error === null ? null : (
                    <small>
                      {' '}
                      {run.error}
                    </small>
                  )}
                </td>
                <td>
                  {run.mode}
                  {' '}
                  (
                  {run.trigger}
                  )
                </td>
                <td>{run.rows_extracted}</td>
                <td>{run.rows_loaded}</td>
                <td>{run.rows_quarantined}</td>
                <td>{run.duration_ms === null ? '—' : `${(run.duration_ms / 1000).toFixed(1)} s`}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </>
  );
}
