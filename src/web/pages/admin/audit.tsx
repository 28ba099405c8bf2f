/** The console's audit log: filters (kind, user, since), newest first, a page at a time. */
import { AUDIT_KINDS } from '../../../core/audit/audit.js';
import { AdminFrame } from './frame.js';
import { EventTable } from './users.js';
import type { AdminPageBase } from './users.js';
import type { AuditEvent } from '../../../stores/ports.js';

/** The filters as the form sends them back. */
export interface AuditFilters {
  kind: string;
  user: string;
  /** A `datetime-local` value, read as UTC. */
  since: string;
}

/** `GET /admin/audit`. */
export function AuditPage(
  props: AdminPageBase & {
    filters: AuditFilters;
    events: AuditEvent[];
    nextHref?: string | undefined;
    later: boolean;
    firstHref: string;
  },
) {
  const { filters } = props;
  return (
    <AdminFrame title="Audit log" section="audit" {...props}>
      <form method="get" action="/admin/audit" class="inline">
        <div>
          <label for="kind">Event</label>
          <select id="kind" name="kind">
            <option value="" selected={filters.kind === ''}>
              Every event
            </option>
            {AUDIT_KINDS.map((kind) => (
              <option key={kind} value={kind} selected={filters.kind === kind}>
                {kind}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="user">User email or id</label>
          <input id="user" name="user" type="text" value={filters.user} autocomplete="off" />
        </div>
        <div>
          <label for="since">Since (UTC)</label>
          <input id="since" name="since" type="datetime-local" value={filters.since} />
        </div>
        <button type="submit">Filter</button>
      </form>
      <EventTable events={props.events} />
      <p class="pager">
        {props.later && <a href={props.firstHref}>Newest</a>}
        {props.nextHref !== undefined && <a href={props.nextHref}>Next page</a>}
      </p>
    </AdminFrame>
  );
}
