/**
 * The console's live view: the key figures of this server, a chart of the last half hour by
 * minute, and the revocation feed's latest events. It reloads itself every few seconds with a
 * meta refresh (the CSP allows no script).
 */
import { AdminFrame, Time, formatTime } from './frame.js';
import type { AdminPageBase } from './users.js';
import type { RevocationEvent } from '../../../stores/ports.js';

/** One minute of the chart. */
export interface ChartMinute {
  start: number;
  logins: number;
  failures: number;
  revocations: number;
}

/** What the live view shows. */
export interface LivePageProps extends AdminPageBase {
  minutes: ChartMinute[];
  /** Sessions validated recently on this instance (its near cache). */
  activeSessions: number;
  /** Revocations still live in the store (not yet harmless). */
  liveRevocations: number;
  /** p99 of session checks over the last five minutes, ms; undefined without any check. */
  sessionCheckP99: number | undefined;
  /** Open revocation feed streams. */
  feedReaders: number;
  /** The feed's latest events, newest first. */
  events: RevocationEvent[];
  /**
   * Reload every this many seconds, when the person turned it on: a page that reloads by itself
   * must let them stop it (WCAG 2.2.1), so it starts still.
   */
  refreshSeconds: number | undefined;
  /** The interval the "refresh" link turns on. */
  offeredSeconds: number;
}

const WIDTH = 600;
const HEIGHT = 160;
const PAD = 24;

/** Sign-ins (blue) and failures (red) per minute as bars: an SVG drawn on the server. */
export function LoginChart({ minutes }: { minutes: ChartMinute[] }) {
  const peak = Math.max(1, ...minutes.map((m) => Math.max(m.logins, m.failures)));
  const slot = (WIDTH - PAD) / Math.max(1, minutes.length);
  const bar = Math.max(1, slot / 2 - 1);
  const height = (value: number) => ((HEIGHT - PAD) * value) / peak;
  const total = (key: 'logins' | 'failures') => minutes.reduce((sum, m) => sum + m[key], 0);
  const label = `Sign-ins per minute over the last ${minutes.length} minutes: ${total('logins')} succeeded and ${total('failures')} failed; at most ${peak} in one minute.`;
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width={WIDTH}
      height={HEIGHT}
      role="img"
      aria-labelledby="chart-title"
    >
      <title id="chart-title">{label}</title>
      <line x1={PAD} y1={HEIGHT - PAD} x2={WIDTH} y2={HEIGHT - PAD} stroke="#52606d" />
      <text x="0" y="12" font-size="11" fill="#52606d">
        {peak}
      </text>
      <text x="0" y={HEIGHT - PAD} font-size="11" fill="#52606d">
        0
      </text>
      {minutes.map((minute, index) => {
        const x = PAD + index * slot;
        return (
          <g key={minute.start}>
            <rect
              x={x}
              y={HEIGHT - PAD - height(minute.logins)}
              width={bar}
              height={height(minute.logins)}
              fill="#1d4ed8"
            >
              <title>{`${formatTime(minute.start)}: ${minute.logins} sign-ins`}</title>
            </rect>
            <rect
              x={x + bar}
              y={HEIGHT - PAD - height(minute.failures)}
              width={bar}
              height={height(minute.failures)}
              fill="#b42318"
            >
              <title>{`${formatTime(minute.start)}: ${minute.failures} failures`}</title>
            </rect>
          </g>
        );
      })}
      <text x={PAD} y={HEIGHT - 6} font-size="11" fill="#52606d">
        {formatTime(minutes[0]?.start).slice(11, 16)}
      </text>
      <text x={WIDTH} y={HEIGHT - 6} font-size="11" fill="#52606d" text-anchor="end">
        now
      </text>
    </svg>
  );
}

/** A key figure. */
function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div class="figure">
      <strong>{value}</strong>
      {label}
    </div>
  );
}

/** What a revocation names, in words. */
const KIND_WORDS: Record<RevocationEvent['kind'], string> = {
  jti: 'access token',
  sid: 'session or refresh family',
  user: 'every token of a user issued before',
  kid: 'every token of a signing key',
};

/** `GET /admin/live`. */
export function LivePage(props: LivePageProps) {
  const last = props.minutes.at(-2) ?? props.minutes.at(-1);
  return (
    <AdminFrame title="Live" section="live" {...props}>
      <p class="muted">
        This server’s figures.{' '}
        {props.refreshSeconds === undefined ? (
          <a href={`/admin/live?refresh=${props.offeredSeconds}`}>
            Refresh every {props.offeredSeconds} seconds
          </a>
        ) : (
          <>
            The page reloads every {props.refreshSeconds} seconds.{' '}
            <a href="/admin/live">Stop refreshing</a>
          </>
        )}
      </p>
      <div class="figures">
        <Figure label="sign-ins last minute" value={String(last?.logins ?? 0)} />
        <Figure label="failed sign-ins last minute" value={String(last?.failures ?? 0)} />
        <Figure
          label="active sessions (checked recently here)"
          value={String(props.activeSessions)}
        />
        <Figure label="revocations last minute" value={String(last?.revocations ?? 0)} />
        <Figure label="live revocations in the feed" value={String(props.liveRevocations)} />
        <Figure
          label="p99 of session checks, last 5 minutes"
          value={
            props.sessionCheckP99 === undefined ? '—' : `${props.sessionCheckP99.toFixed(1)} ms`
          }
        />
        <Figure label="open feed streams" value={String(props.feedReaders)} />
      </div>
      <h2>Sign-ins per minute</h2>
      <p class="muted">Blue: succeeded; red: failed.</p>
      <LoginChart minutes={props.minutes} />
      <h2>Revocation feed</h2>
      {props.events.length === 0 ? (
        <p class="muted">No live revocation.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Revoked</th>
              <th scope="col">What</th>
              <th scope="col">Id</th>
              <th scope="col">Kept until</th>
            </tr>
          </thead>
          <tbody>
            {props.events.map((event) => (
              <tr key={event.seq}>
                <td>{event.seq}</td>
                <td>
                  <Time ms={event.at} />
                </td>
                <td>{KIND_WORDS[event.kind]}</td>
                <td>
                  <code>{event.value}</code>
                </td>
                <td>
                  <Time ms={event.expiresAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminFrame>
  );
}
