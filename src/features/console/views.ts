import { dataTable } from './table';
import { html, type Html } from './html';
import type { ConsoleSession } from './session';
import type { KycQueueItem, Row } from './queries';
import type { AmlCaseDetail } from './aml-source';
import type { CaseListItem } from '../aml/case-repository';
import { CHECK_TYPES } from '../aml/rules';
import type { AmlCaseState } from '../aml/contract';
import type { AmlCheckRow } from '../aml/repository';
import type { TimelineEntry } from '../aml/timeline';

export const CONSOLE_PATH = '/console';
const P = CONSOLE_PATH;
/** An AML case's page; its forms post under it. */
export const casePath = (caseId: string) => `${P}/aml/cases/${caseId}`;

export interface PageChrome {
  title: string;
  session?: ConsoleSession;
  flash?: ConsoleSession['flash'];
  /** Which live events refresh this page's live list (console.js). */
  live?: string;
}

const NAV: [string, string][] = [
  [`${P}/kyc`, 'KYC queue'],
  [`${P}/aml`, 'AML cases'],
  [`${P}/settlements`, 'Settlement failures'],
  [`${P}/users`, 'User lookup'],
  ['/admin/queues', 'Queues'],
];

export function layout(chrome: PageChrome, body: Html, current = ''): string {
  const s = chrome.session;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title} · Operator console</title>
<link rel="stylesheet" href="${P}/assets/console.css">
${s ? html`<script src="${P}/assets/socket.io.min.js" defer></script>` : ''}
<script src="${P}/assets/console.js" defer></script>
</head>
<body${s ? html` data-csrf="${s.csrf}" data-live="${chrome.live ?? ''}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">Operator console</span>
  ${
    s
      ? html`<nav aria-label="Console sections">
            <ul>
              ${NAV.map(
                ([href, label]) =>
                  html`<li><a href="${href}" ${current === href ? html` aria-current="page"` : ''}>${label}</a></li>`,
              )}
            </ul>
          </nav>
          <form method="post" action="${P}/logout" class="signout">
            <input type="hidden" name="_csrf" value="${s.csrf}" /> <span class="who">${s.email} (${s.role})</span>
            <button type="submit">Sign out</button>
          </form>`
      : ''
  }
</header>
<div id="live" class="live" role="status" aria-live="polite"></div>
<main id="main">
<h1>${chrome.title}</h1>
${chrome.flash ? html`<p class="flash ${chrome.flash.kind}" role="${chrome.flash.kind === 'error' ? 'alert' : 'status'}">${chrome.flash.text}</p>` : ''}
${body}
</main>
</body>
</html>`.value;
}

export const csrfField = (s: ConsoleSession) => html`<input type="hidden" name="_csrf" value="${s.csrf}" />`;

export function loginPage(opts: { csrf: string; next: string; error?: string; email?: string; notice?: string }) {
  return layout(
    { title: 'Sign in' },
    html`${opts.notice ? html`<p class="flash ok" role="status">${opts.notice}</p>` : ''}
      ${opts.error ? html`<p class="flash error" role="alert" id="login-error">${opts.error}</p>` : ''}
      <form
        method="post"
        action="${P}/login"
        class="card narrow"
        ${opts.error ? html` aria-describedby="login-error"` : ''}
      >
        <input type="hidden" name="_csrf" value="${opts.csrf}" />
        <input type="hidden" name="next" value="${opts.next}" />
        <p>
          <label for="email">Email</label
          ><input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value="${opts.email ?? ''}"
            autofocus
          />
        </p>
        <p>
          <label for="password">Password</label
          ><input id="password" name="password" type="password" autocomplete="current-password" required />
        </p>
        <p><button type="submit">Sign in</button></p>
        <p class="hint">Staff accounts (ADMIN, MASTER) only.</p>
      </form>`,
  );
}

export const ago = (from: Date, now = new Date()): string => {
  const s = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
};

const PROVIDER_LINKS: Record<string, (id: string) => string> = {
  SUMSUB: (id) => `https://cockpit.sumsub.com/checkus/#/applicant/${encodeURIComponent(id)}/basicInfo`,
  ONFIDO: (id) => `https://dashboard.onfido.com/checks/${encodeURIComponent(id)}`,
  VERIFF: (id) => `https://station.veriff.com/verifications/${encodeURIComponent(id)}`,
};

/** Why the decision buttons are disabled for this admin, or null when they may decide. */
export function kycDecisionBlock(item: { userId: string; status: string }, adminId: string): string | null {
  if (item.status === 'APPROVED' || item.status === 'REJECTED') return `This case is already ${item.status}.`;
  if (item.userId === adminId) return 'This is your own KYC case: another admin must decide it.';
  return null;
}

function evidence(item: Pick<KycQueueItem, 'provider' | 'providerId' | 'lastProviderEvent' | 'lastProviderEventAt'>) {
  const link = item.providerId && PROVIDER_LINKS[item.provider]?.(item.providerId);
  const ev = item.lastProviderEvent as { outcome?: string; reason?: string; eventId?: string } | null;
  return html`<dl class="evidence">
    <dt>Provider session</dt>
    <dd>
      ${item.providerId ?? 'not created yet'}${link ? html` · <a href="${link}" rel="noreferrer noopener" target="_blank">open at ${item.provider}</a>` : ''}
    </dd>
    <dt>Last provider event</dt>
    <dd>
      ${ev ? html`${ev.outcome}${ev.reason ? html` — ${ev.reason}` : ''} <span class="muted">(${ev.eventId}, ${item.lastProviderEventAt ? new Date(item.lastProviderEventAt).toISOString() : ''})</span>` : 'none yet'}
    </dd>
  </dl>`;
}

function kycDecisionForms(s: ConsoleSession, userId: string, block: string | null, idSuffix = userId) {
  if (block) {
    const id = `why-${idSuffix}`;
    return html`<div class="decide">
      <button type="button" disabled aria-describedby="${id}">Approve</button>
      <button type="button" disabled aria-describedby="${id}">Reject</button>
      <p class="why" id="${id}">${block}</p>
    </div>`;
  }
  return html`<div class="decide">
    <form method="post" action="${P}/kyc/${userId}/approve">
      ${csrfField(s)} <label for="notes-${idSuffix}">Approval note (optional)</label
      ><input id="notes-${idSuffix}" name="notes" maxlength="2000" /> <button type="submit">Approve</button>
    </form>
    <form method="post" action="${P}/kyc/${userId}/reject">
      ${csrfField(s)} <label for="reason-${idSuffix}">Rejection reason</label
      ><input id="reason-${idSuffix}" name="reason" required maxlength="2000" />
      <button type="submit" class="danger">Reject</button>
    </form>
  </div>`;
}

export function kycQueuePage(
  s: ConsoleSession,
  items: KycQueueItem[],
  flash: ConsoleSession['flash'],
  now = new Date(),
) {
  const kycQueueRow = (i: KycQueueItem) =>
    html`<tr data-user="${i.userId}">
      <td><a href="${P}/kyc/${i.userId}">${i.email}</a><br /><span class="muted">${i.fullName}</span></td>
      <td>
        ${i.needsManualReview ? html`<span class="badge warn">manual review</span>` : i.awaitingUser ? html`<span class="badge">awaiting user</span>` : html`<span class="badge">pending</span>`}
      </td>
      <td>${ago(i.createdAt, now)}</td>
      <td>${i.provider}</td>
      <td>${i.attempts}</td>
      <td>${evidence(i)}</td>
      <td>${kycDecisionForms(s, i.userId, kycDecisionBlock({ userId: i.userId, status: 'PENDING' }, s.userId))}</td>
    </tr>`;
  return layout(
    { title: 'KYC review queue', session: s, flash, live: 'kyc' },
    html`<p>Pending and manual-review cases, oldest first.</p>
      <div data-live-list>
        ${dataTable({
          caption: 'KYC cases waiting for a decision',
          columns: ['User', 'State', 'Waiting', 'Provider', 'Attempt', 'Evidence', 'Decision'],
          items,
          row: kycQueueRow,
          empty: 'No case is waiting.',
        })}
      </div>`,
    `${P}/kyc`,
  );
}

export function kycCasePage(s: ConsoleSession, kyc: Row | null, user: Row, flash: ConsoleSession['flash']) {
  if (!kyc) {
    return layout(
      { title: `KYC of ${user.email}`, session: s, flash },
      html`<p>This user has not started KYC.</p>
        <p><a href="${P}/users/${user.id}">User profile</a></p>`,
      `${P}/kyc`,
    );
  }
  const block = kycDecisionBlock({ userId: kyc.user_id, status: kyc.status }, s.userId);
  const decided = kyc.status === 'APPROVED' || kyc.status === 'REJECTED';
  return layout(
    { title: `KYC of ${user.email}`, session: s, flash },
    html`<dl class="facts">
        <dt>Status</dt>
        <dd id="kyc-status">
          ${kyc.status}${kyc.needs_manual_review ? ' (manual review)' : ''}${kyc.awaiting_user ? ' (awaiting user)' : ''}
        </dd>
        <dt>Waiting since</dt>
        <dd>${new Date(kyc.created_at).toISOString()} (${ago(new Date(kyc.created_at))})</dd>
        <dt>Provider</dt>
        <dd>${kyc.provider}, attempt ${kyc.attempts}</dd>
        ${
          decided
            ? html`<dt>Decided by</dt>
                <dd>${kyc.reviewed_by ?? 'provider'}${kyc.notes ? html` — ${kyc.notes}` : ''}</dd>`
            : ''
        }
      </dl>
      ${evidence({ provider: kyc.provider, providerId: kyc.provider_id, lastProviderEvent: kyc.last_provider_event, lastProviderEventAt: kyc.last_provider_event_at })}
      ${kycDecisionForms(s, kyc.user_id, block, 'case')}
      <p><a href="${P}/users/${user.id}">User profile</a> · <a href="${P}/kyc">Back to the queue</a></p>`,
    `${P}/kyc`,
  );
}

export interface AmlListFilterView {
  status: string;
  rule?: string;
  assignee?: string;
  q?: string;
  offset: number;
}

const option = (value: string, label: string, selected: string | undefined) =>
  html`<option value="${value}" ${value === (selected ?? '') ? ' selected' : ''}>${label}</option>`;

export function amlListPage(
  s: ConsoleSession,
  list: { items: CaseListItem[]; total: number },
  filter: AmlListFilterView,
  flash: ConsoleSession['flash'],
) {
  const qs = (offset: number) =>
    `${P}/aml?${new URLSearchParams({ status: filter.status, rule: filter.rule ?? '', assignee: filter.assignee ?? '', q: filter.q ?? '', offset: String(offset) })}`;
  return layout(
    { title: 'AML cases', session: s, flash, live: 'aml' },
    html`<form method="get" action="${P}/aml" class="filters" role="search">
        <label for="status">Status</label
        ><select id="status" name="status">
          ${option('ACTIVE', 'Open or investigating', filter.status)} ${option('OPEN', 'Open', filter.status)}
          ${option('INVESTIGATING', 'Investigating', filter.status)} ${option('CLOSED', 'Closed', filter.status)}
        </select>
        <label for="rule">Rule</label
        ><select id="rule" name="rule">
          ${option('', 'Any rule', filter.rule)}
          ${CHECK_TYPES.filter((t) => t !== 'SUMMARY').map((t) => option(t, t, filter.rule))}
        </select>
        <label for="assignee">Assignee</label
        ><select id="assignee" name="assignee">
          ${option('', 'Anyone', filter.assignee)} ${option('me', 'Me', filter.assignee)}
          ${option('none', 'Unassigned', filter.assignee)}
        </select>
        <label for="q">User email or id</label><input id="q" name="q" value="${filter.q ?? ''}" />
        <button type="submit">Filter</button>
      </form>
      <div data-live-list>
        <p id="case-total">${list.total} case(s)</p>
        ${dataTable({
          caption: 'AML cases',
          columns: ['User', 'Status', 'Outcome', 'Findings', 'Assignee', 'Opened'],
          items: list.items,
          row: (c) =>
            html`<tr data-user="${c.userId}" data-case="${c.id}">
              <td><a href="${casePath(c.id)}">${c.email}</a></td>
              <td><span class="badge warn">${c.status}${c.outcome ? ` ${c.outcome}` : ''}</span></td>
              <td>${c.highestOutcome}</td>
              <td>${c.findingSummary}</td>
              <td>${c.assignee?.email ?? 'unassigned'}</td>
              <td><time datetime="${c.openedAt}">${c.openedAt}</time></td>
            </tr>`,
          empty: 'No case matches.',
        })}
        <p>
          ${filter.offset > 0 ? html`<a href="${qs(Math.max(0, filter.offset - 50))}">Previous</a>` : ''}
          ${filter.offset + list.items.length < list.total ? html`<a href="${qs(filter.offset + 50)}">Next</a>` : ''}
        </p>
      </div>`,
    `${P}/aml`,
  );
}

function caseRecordSection(s: ConsoleSession, record: AmlCaseDetail, staff: { id: string; email: string }[]) {
  const open = record.status !== 'CLOSED';
  return html`<section aria-labelledby="h-record" id="case-record" data-case="${record.id}">
    <h2 id="h-record">Case record</h2>
    <dl class="facts">
      <dt>Case</dt>
      <dd><code>${record.id}</code></dd>
      <dt>Status</dt>
      <dd id="case-status">${record.status}${record.outcome ? ` (${record.outcome})` : ''}</dd>
      <dt>Highest outcome</dt>
      <dd>${record.highestOutcome}</dd>
      <dt>Opened</dt>
      <dd>${record.openedAt}</dd>
      <dt>Assignee</dt>
      <dd id="case-assignee">${record.assignee?.email ?? 'unassigned'}</dd>
      <dt>Workflow</dt>
      <dd>${record.workflowId ?? 'none (no freeze)'}</dd>
    </dl>
    ${dataTable({
      caption: 'Findings by rule',
      showCaption: true,
      id: 'case-findings',
      columns: ['Rule', 'Outcome', 'Count', 'First seen', 'Last seen', 'Last note'],
      items: record.findings,
      row: (f) =>
        html`<tr>
          <td>${f.rule}${f.snoozed ? ' (snoozed)' : ''}</td>
          <td>${f.outcome}</td>
          <td class="num">${f.count}</td>
          <td>${f.firstSeenAt}</td>
          <td>${f.lastSeenAt}</td>
          <td>${f.lastNotes ?? ''}</td>
        </tr>`,
      empty: 'No finding on this case.',
    })}
    ${
      record.snoozes.length
        ? html`<ul id="case-snoozes">
            ${record.snoozes.map((z) => html`<li>${z.rule} snoozed until ${z.until} by ${z.createdByEmail ?? z.createdBy}${z.active ? '' : ' (ended)'}: ${z.reason}</li>`)}
          </ul>`
        : ''
    }
    ${
      open
        ? html`<form method="post" action="${casePath(record.id)}/assign">
            ${csrfField(s)}
            <label for="assignee-id">Assign to</label
            ><select id="assignee-id" name="assigneeId" required>
              ${staff.map((m) => option(m.id, m.email, record.assignee?.id ?? s.userId))}
            </select>
            <button type="submit">Assign</button>
          </form>`
        : html`<p class="why">The case is closed: it can take notes, not an assignee.</p>`
    }
    <form method="post" action="${casePath(record.id)}/notes">
      ${csrfField(s)} <label for="case-note">Case note</label
      ><textarea id="case-note" name="note" required maxlength="2000" rows="2"></textarea>
      <button type="submit">Add note</button>
    </form>
    <h3 id="h-case-timeline">Case timeline</h3>
    <ol class="timeline" id="case-timeline">
      ${record.timeline.map(
        (e) =>
          html`<li>
            <time datetime="${e.at}">${e.at}</time> <strong>${e.kind}</strong> by ${e.actor.type}
            ${e.actor.email ?? e.actor.id}${e.reason ? html` — ${e.reason}` : ''}${
              e.data && typeof e.data.decision === 'string' ? ` (${e.data.decision})` : ''
            }${e.data && typeof e.data.rule === 'string' ? ` (${e.data.rule})` : ''}${
              e.data && typeof e.data.assigneeEmail === 'string' ? ` to ${e.data.assigneeEmail}` : ''
            }
          </li>`,
      )}
    </ol>
  </section>`;
}

/** The decision a frozen case waits for: two different admins to unfreeze, or one to keep it frozen. */
function freezeDecision(
  s: ConsoleSession,
  record: AmlCaseDetail,
  state: AmlCaseState | null,
  who: (id: string) => string,
) {
  if (!state) {
    return html`<p class="why" id="case-state">
      The freeze workflow of this case did not answer: reload the page in a moment to decide.
    </p>`;
  }
  const action = `${casePath(record.id)}/decision`;
  const mine = state.approvals.includes(s.userId);
  const first = state.approvals[0];
  return html`<div class="card" id="case-state">
    <p>Unfreezing needs two different admins. Approvals: <strong>${state.approvals.length}/2</strong>.</p>
    ${first ? html`<p id="first-approval">Approved first by <strong>${who(first)}</strong>. ${mine ? 'Waiting for a second, different admin.' : 'Your approval completes the unfreeze.'}</p>` : ''}
    ${
      mine
        ? html`<button type="button" disabled aria-describedby="why-unfreeze">Approve unfreeze</button>
            <p class="why" id="why-unfreeze">You already approved: a second, different admin must approve.</p>`
        : html`<form method="post" action="${action}">
            ${csrfField(s)}<input type="hidden" name="decision" value="UNFREEZE" />
            <label for="unfreeze-notes">Note (optional)</label
            ><input id="unfreeze-notes" name="notes" maxlength="2000" />
            <button type="submit">Approve unfreeze</button>
          </form>`
    }
    <form method="post" action="${action}">
      ${csrfField(s)}<input type="hidden" name="decision" value="KEEP_FROZEN" />
      <label for="keep-notes">Reason to keep frozen</label
      ><input id="keep-notes" name="notes" required maxlength="2000" />
      <button type="submit" class="danger">Keep frozen and close</button>
    </form>
  </div>`;
}

/** The decision a case without a freeze (review, block_and_review) waits for: clear it or escalate it. */
function caseDecision(s: ConsoleSession, record: AmlCaseDetail) {
  const action = `${casePath(record.id)}/decision`;
  return html`<div class="card" id="case-state">
    <p>
      No freeze on this case (${record.highestOutcome}): one admin clears it (its findings are resolved, a hold is
      released) or escalates it (the account is frozen and a freeze case follows).
    </p>
    <form method="post" action="${action}">
      ${csrfField(s)}<input type="hidden" name="decision" value="CLEARED" />
      <label for="clear-reason">Reason to clear</label
      ><input id="clear-reason" name="notes" required maxlength="2000" />
      <button type="submit">Clear and close</button>
    </form>
    <form method="post" action="${action}">
      ${csrfField(s)}<input type="hidden" name="decision" value="ESCALATED" />
      <label for="escalate-reason">Reason to escalate</label
      ><input id="escalate-reason" name="notes" required maxlength="2000" />
      <button type="submit" class="danger">Escalate: freeze the account</button>
    </form>
  </div>`;
}

export function amlCasePage(
  s: ConsoleSession,
  args: {
    user: Row;
    record: AmlCaseDetail;
    state: AmlCaseState | null;
    findings: AmlCheckRow[];
    movements: Row[];
    timeline: TimelineEntry[];
    emails: Map<string, string>;
    staff: { id: string; email: string }[];
  },
  flash: ConsoleSession['flash'],
) {
  const { user, record, state } = args;
  const who = (id: string) => args.emails.get(id) ?? id;
  let decision: Html;
  if (record.status === 'CLOSED') {
    decision = html`<p id="case-state">
      This case is closed (${record.outcome ?? 'no outcome'}${record.closedAt ? `, ${record.closedAt}` : ''}): nothing
      to decide. The account is ${user.status}.
    </p>`;
  } else if (record.userId === s.userId) {
    decision = html`<p class="why" id="case-state">This is your own case: other admins decide it.</p>`;
  } else if (record.workflowId) {
    decision = freezeDecision(s, record, state, who);
  } else {
    decision = caseDecision(s, record);
  }
  return layout(
    { title: `AML case of ${user.email}`, session: s, flash, live: `aml-case:${user.id}` },
    html`<div data-live-list>
      <dl class="facts">
        <dt>Account</dt>
        <dd id="account-status">${user.status}${user.locked ? ' (wallet locked)' : ''}</dd>
        <dt>Freeze</dt>
        <dd>${state ? `${state.status}, ${state.remindersSent} reminder(s)` : 'no open freeze'}</dd>
      </dl>
      ${caseRecordSection(s, record, args.staff)}
      <section aria-labelledby="h-decision">
        <h2 id="h-decision">Decision</h2>
        ${decision}
      </section>
      <section aria-labelledby="h-findings">
        <h2 id="h-findings">Findings</h2>
        ${dataTable({
          caption: 'AML findings of this user',
          columns: ['When', 'Check', 'Severity', 'Result', 'Details', 'Notes'],
          items: args.findings,
          row: (f) =>
            html`<tr>
              <td>${f.createdAt}</td>
              <td>${f.checkType}</td>
              <td>${f.severity}</td>
              <td>${f.result}</td>
              <td><code>${JSON.stringify(f.metadata)}</code></td>
              <td>
                ${f.notes ?? ''}${
                  !f.resolvedAt && f.result !== 'PASS'
                    ? html`<form method="post" action="${casePath(record.id)}/findings/${f.id}/resolve">
                        ${csrfField(s)}<label for="note-${f.id}">Note</label
                        ><input id="note-${f.id}" name="notes" required maxlength="2000" /><button type="submit">
                          Resolve with note
                        </button>
                      </form>`
                    : f.resolvedAt
                      ? html`<br /><span class="muted">resolved by ${who(f.resolvedBy ?? '')}</span>`
                      : ''
                }
              </td>
            </tr>`,
          empty: 'No findings.',
        })}
      </section>
      ${movementsTable(args.movements)} ${timelineSection(args.timeline)}
      <p><a href="${P}/users/${user.id}">User profile and all their cases</a> · <a href="${P}/aml">All cases</a></p>
    </div>`,
    `${P}/aml`,
  );
}

const money = (minor: number | string, currency = 'USD') => `${(Number(minor) / 100).toFixed(2)} ${currency}`;

function movementsTable(rows: Row[]) {
  return html`<section aria-labelledby="h-moves">
    <h2 id="h-moves">Recent money movements</h2>
    ${dataTable({
      caption: 'Recent money movements',
      columns: ['When', 'Kind', 'Amount', 'Key'],
      items: rows,
      row: (m) =>
        html`<tr>
          <td>${new Date(m.created_at).toISOString()}</td>
          <td>${m.kind}</td>
          <td class="num">${money(m.amount)}</td>
          <td><code>${m.idempotency_key}</code></td>
        </tr>`,
      empty: 'No movements.',
    })}
  </section>`;
}

const CATEGORY_LABELS: Record<TimelineEntry['category'], string> = {
  kyc: 'KYC',
  aml_finding: 'finding',
  case_event: 'case',
  decision: 'decision',
  freeze: 'freeze',
  snooze: 'snooze',
};

/** Who acted: both admins of a two-admin unfreeze, else the admin's email or the actor's id. */
function actorOf(e: TimelineEntry): string {
  const ids = e.actor.id.split(',');
  if (e.actor.emails) return e.actor.emails.map((m, i) => m ?? ids[i]).join(' and ');
  return `${e.actor.type} ${e.actor.email ?? e.actor.id}`;
}

/** What an entry's details say in a few words: the rule and result of a finding, a decision, a status change. */
function detailsOf(e: TimelineEntry): string {
  const d = (e.details ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const status = (v: unknown) => (v && typeof v === 'object' ? str((v as Record<string, unknown>).status) : null);
  const parts = [
    str(d.rule),
    str(d.result),
    str(d.severity),
    str(d.outcome),
    str(d.decision),
    str(d.assigneeEmail) && `to ${str(d.assigneeEmail)}`,
    status(d.before) && status(d.after) && `${status(d.before)} → ${status(d.after)}`,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * The user's compliance timeline, newest first: the entries GET /admin/users/:id/timeline returns
 * (aml/timeline.ts), each with who, when and why, its case and its workflow in the Temporal UI.
 */
function timelineSection(entries: TimelineEntry[]) {
  return html`<section aria-labelledby="h-timeline">
    <h2 id="h-timeline">Compliance timeline</h2>
    ${
      entries.length
        ? html`<ol class="timeline" id="compliance-timeline">
            ${[...entries]
              .reverse()
              .map(
                (e) =>
                  html`<li data-category="${e.category}">
                    <time datetime="${e.at}">${e.at}</time> <span class="badge">${CATEGORY_LABELS[e.category]}</span>
                    <strong>${e.action}</strong>${detailsOf(e)} by ${actorOf(e)}${e.reason ? html` — ${e.reason}` : ''}
                    ${e.caseId ? html` · <a href="${casePath(e.caseId)}">case ${e.caseId.slice(0, 8)}</a>` : ''}
                    ${e.workflowUrl ? html` · <a href="${e.workflowUrl}" rel="noreferrer noopener" target="_blank">workflow in the Temporal UI</a>` : ''}
                  </li>`,
              )}
          </ol>`
        : html`<p class="empty">Nothing recorded.</p>`
    }
  </section>`;
}

export function settlementsPage(s: ConsoleSession, trades: Row[], flash: ConsoleSession['flash']) {
  return layout(
    { title: 'Settlement failures', session: s, flash, live: 'settlements' },
    html`<div data-live-list>
      ${dataTable({
        caption: 'Trades whose settlement failed',
        columns: ['Trade', 'User', 'Trade details', 'Expired', 'Error', 'Action'],
        items: trades,
        row: (t) =>
          html`<tr data-trade="${t.id}">
            <td>
              <a href="${P}/settlements/${t.id}"><code>${t.id}</code></a>
            </td>
            <td><a href="${P}/users/${t.user_id}">${t.email}</a></td>
            <td>${t.symbol} ${t.direction}, stake ${money(t.stake)}</td>
            <td>${new Date(t.expires_at).toISOString()}</td>
            <td class="error-text">${t.failure ?? ''}</td>
            <td>
              <form method="post" action="${P}/settlements/${t.id}/retry">
                ${csrfField(s)}<button type="submit" aria-label="Retry settlement of trade ${t.id}">
                  Retry settlement
                </button>
              </form>
            </td>
          </tr>`,
        empty: 'No failed settlement.',
      })}
    </div>`,
    `${P}/settlements`,
  );
}

export function tradePage(s: ConsoleSession, t: Row, flash: ConsoleSession['flash']) {
  const failed = t.status === 'SETTLEMENT_FAILED';
  return layout(
    { title: `Trade ${t.id}`, session: s, flash, live: failed ? 'trade' : '' },
    html`<div data-live-list${failed ? html` data-refresh="2000"` : ''}>
      <dl class="facts">
        <dt>Status</dt>
        <dd id="trade-status">${t.status}</dd>
        <dt>User</dt>
        <dd><a href="${P}/users/${t.user_id}">${t.email}</a></dd>
        <dt>Trade</dt>
        <dd>${t.symbol} ${t.direction}, stake ${money(t.stake)}, open ${money(t.open_price)}</dd>
        <dt>Close price</dt>
        <dd>${t.close_price === null ? '—' : money(t.close_price)}</dd>
        <dt>Payout</dt>
        <dd>${t.payout === null ? '—' : money(t.payout)}</dd>
        <dt>Error</dt>
        <dd class="error-text">${failed ? (t.failure ?? '') : '—'}</dd>
      </dl>
      ${
        failed
          ? html`<form method="post" action="${P}/settlements/${t.id}/retry">
                ${csrfField(s)}<button type="submit">Retry settlement</button>
              </form>
              <p class="hint">This page refreshes while the settlement is pending.</p>`
          : ''
      }
      <p><a href="${P}/settlements">All settlement failures</a></p>
    </div>`,
    `${P}/settlements`,
  );
}

export function userSearchPage(s: ConsoleSession, q: string, flash: ConsoleSession['flash'], notFound = false) {
  return layout(
    { title: 'User lookup', session: s, flash },
    html`<form method="get" action="${P}/users" role="search" class="filters">
        <label for="user-q">Email or user id</label><input id="user-q" name="q" value="${q}" required />
        <button type="submit">Find</button>
      </form>
      ${notFound ? html`<p class="flash error" role="alert">No user with the email or id “${q}”.</p>` : ''}`,
    `${P}/users`,
  );
}

export function userPage(
  s: ConsoleSession,
  args: {
    user: Row;
    kyc: Row | null;
    cases: CaseListItem[];
    findings: AmlCheckRow[];
    movements: Row[];
    timeline: TimelineEntry[];
    jobs: { queue: string; id: string; name: string; state: string; href: string }[];
    temporalUrl: string;
  },
  flash: ConsoleSession['flash'],
) {
  const u = args.user;
  const unresolved = args.findings.filter((f) => !f.resolvedAt && f.result !== 'PASS').length;
  const open = args.cases.filter((c) => c.status !== 'CLOSED').length;
  return layout(
    { title: `User ${u.email}`, session: s, flash },
    html`<dl class="facts" id="profile">
        <dt>Name</dt>
        <dd>${u.full_name}</dd>
        <dt>Id</dt>
        <dd><code>${u.id}</code></dd>
        <dt>Role</dt>
        <dd>${u.role}</dd>
        <dt>Account</dt>
        <dd id="account-status">${u.status}</dd>
        <dt>Country</dt>
        <dd>${u.country}</dd>
        <dt>Registered</dt>
        <dd>${new Date(u.created_at).toISOString()}</dd>
        <dt>KYC</dt>
        <dd id="kyc-status">
          ${u.kyc_status}${args.kyc ? html` via ${args.kyc.provider}, attempt ${args.kyc.attempts} · <a href="${P}/kyc/${u.id}">KYC case</a>` : ''}
        </dd>
        <dt>Wallet</dt>
        <dd id="wallet">
          ${u.balance === null ? 'none' : money(u.balance, u.currency)}${u.locked ? html` — locked: ${u.locked_reason ?? ''}` : ''}
        </dd>
        <dt>AML</dt>
        <dd>
          ${args.cases.length} case(s), ${open} open; ${args.findings.length} finding(s), ${unresolved} unresolved
        </dd>
      </dl>
      <section aria-labelledby="h-cases">
        <h2 id="h-cases">AML cases</h2>
        ${dataTable({
          caption: 'AML cases of this user, newest first',
          id: 'user-cases',
          columns: ['Case', 'Status', 'Highest outcome', 'Findings', 'Assignee', 'Opened', 'Closed'],
          items: args.cases,
          row: (c) =>
            html`<tr data-case="${c.id}">
              <td><a href="${casePath(c.id)}">Case ${c.id.slice(0, 8)}</a></td>
              <td>${c.status}${c.outcome ? ` (${c.outcome})` : ''}</td>
              <td>${c.highestOutcome}</td>
              <td>${c.findingSummary}</td>
              <td>${c.assignee?.email ?? 'unassigned'}</td>
              <td><time datetime="${c.openedAt}">${c.openedAt}</time></td>
              <td>${c.closedAt ? html`<time datetime="${c.closedAt}">${c.closedAt}</time>` : '—'}</td>
            </tr>`,
          empty: 'No AML case.',
        })}
      </section>
      <section aria-labelledby="h-links">
        <h2 id="h-links">Workflows and jobs</h2>
        <ul id="user-links">
          <li>
            <a id="temporal-link" href="${args.temporalUrl}" rel="noreferrer noopener" target="_blank"
              >This user's workflows in the Temporal UI</a
            >
            (search <code>UserId="${u.id}"</code>)
          </li>
          ${args.jobs.map((j) => html`<li><a href="${j.href}">${j.queue} job ${j.id}</a> ${j.name} (${j.state})</li>`)}
          <li><a href="/admin/queues">All queues</a></li>
        </ul>
      </section>
      ${movementsTable(args.movements)} ${timelineSection(args.timeline)}`,
    `${P}/users`,
  );
}

export function errorPage(s: ConsoleSession | undefined, status: number, message: string) {
  return layout(
    { title: status === 404 ? 'Not found' : 'Something went wrong', session: s },
    html`<p class="flash error" role="alert">${message}</p>
      <p><a href="${P}">Back to the console</a></p>`,
  );
}
