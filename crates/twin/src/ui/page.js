// The privlink twin's page: lays out what /ui/api/estate answers and fetches it again after each
// write the twin commits (/ui/events). It decides nothing: every word in the table, the traces
// and the findings is the engine's, as the twin computed it on its current estate.
'use strict';

(() => {
  const token = document.querySelector('meta[name="privlink-token"]').content;
  const $ = (id) => document.getElementById(id);

  /** An address on this twin with the token and `params` in its query. */
  function api(path, params = {}) {
    const url = new URL(path, window.location.origin);
    url.searchParams.set('token', token);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url;
  }

  /** An element with text (never HTML: names come from the estate). */
  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  /** The last segment of an ARM id, with the whole id as its tooltip. */
  function shortId(id) {
    const span = el('span', String(id || '').split('/').pop() || '-');
    if (id) span.title = id;
    return span;
  }

  let selected = null; // {app: ARM id, to: "host:port"} of the row whose detail is shown
  let fetching = false;
  let fetchAgain = false;
  let updates = 0;

  function setStatus(text, kind) {
    const status = $('status');
    status.textContent = text;
    status.className = 'status ' + (kind || '');
  }

  function renderSummary(estate) {
    const apps = estate.apps === 1 ? '1 app' : `${estate.apps} apps`;
    $('summary').textContent =
      `${estate.allowed} of ${estate.dependencies} dependencies allowed (${apps}, ${estate.documents} documents)`;
    document.body.dataset.allowed = String(estate.allowed);
    document.body.dataset.dependencies = String(estate.dependencies);
  }

  function renderDiagram(diagram) {
    const area = $('diagram');
    area.replaceChildren();
    if (diagram && diagram.available && diagram.svg) {
      // As an image: the SVG is shown, never run.
      const img = document.createElement('img');
      img.alt = 'The estate: apps, networks, DNS zones, private endpoints and backends, each dependency coloured by its verdict';
      img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(diagram.svg);
      area.append(img);
    } else {
      area.append(el('p', 'The diagram is not available: ' + ((diagram && diagram.reason) || 'no diagram'), 'muted'));
    }
  }

  function resultText(row) {
    return `${row.resolution || '-'} / ${row.verdict}`;
  }

  function renderRows(rows) {
    const body = $('dependencies').querySelector('tbody');
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = el('tr');
      const td = el('td', 'No app has a dependency in this estate.', 'muted');
      td.colSpan = 6;
      tr.append(td);
      body.append(tr);
    }
    for (const row of rows) {
      const tr = el('tr', null, 'row verdict-' + row.verdict);
      tr.dataset.app = row.app_id;
      tr.dataset.to = row.to;
      tr.dataset.verdict = row.verdict;
      tr.dataset.resolution = row.resolution || '';
      tr.tabIndex = 0;
      if (selected && selected.app === row.app_id && selected.to === row.to) tr.classList.add('selected');
      const app = el('td');
      app.append(shortId(row.app_id));
      const result = el('td', null, 'result');
      result.append(el('span', resultText(row), 'badge verdict-' + row.verdict));
      const addresses = el('td', (row.addresses || []).join(', ') || (row.rcode || '-'), 'addresses');
      const decided = el('td', null, 'decided');
      if (row.verdict !== 'allowed') {
        decided.append(el('span', row.step || '-', 'step'));
        if (row.decided_by) {
          decided.append(' ', el('span', row.decided_by.kind, 'kind'), ' ');
          decided.append(shortId(row.decided_by.id));
        }
        // What the trace says to change, where that is not what decided (a DNS root cause).
        for (const change of row.change || []) {
          if (row.decided_by && change.id === row.decided_by.id) continue;
          const line = el('div', 'change: ', 'change');
          line.append(el('span', change.kind, 'kind'), ' ', shortId(change.id));
          decided.append(line);
        }
      } else {
        decided.textContent = '-';
      }
      const access = el('td', row.access || '-', 'access access-' + (row.access || 'none'));
      if (row.access_reason) access.title = row.access_reason;
      tr.append(app, el('td', row.to, 'to'), result, addresses, decided, access);
      const open = () => select({ app: row.app_id, to: row.to });
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
      body.append(tr);
    }
  }

  function renderFinding(f) {
    const box = el('div', null, 'finding severity-' + f.severity);
    const head = el('div', null, 'finding-head');
    head.append(el('span', f.code, 'code'), ' ', el('span', f.severity, 'severity'), ' ', el('span', f.rule || '', 'rule'));
    box.append(head, el('p', f.message, 'message'));
    const resource = el('p', 'resource: ', 'resource');
    resource.append(shortId(f.resource));
    box.append(resource);
    if (f.fix && Array.isArray(f.fix.az) && f.fix.az.length > 0) {
      box.append(el('div', 'fix:', 'fix-label'), el('pre', f.fix.az.join('\n'), 'fix'));
    } else {
      box.append(el('p', 'no az fix: the rule says what to change in its message', 'muted'));
    }
    return box;
  }

  const count = (n, what) => `${n || 0} ${what}${n === 1 ? '' : 's'}`;

  function renderFindings(estate) {
    const findings = estate.findings || [];
    const s = estate.check_summary || {};
    $('findings-summary').textContent = findings.length === 0
      ? 'privlink check finds nothing to report.'
      : `${count(s.error, 'error')}, ${count(s.warning, 'warning')}, ${count(s.info, 'note')} (privlink check)`;
    $('findings').replaceChildren(...findings.map(renderFinding));
    return findings;
  }

  let findings = [];

  async function showDetail(which) {
    const r = await fetch(api('/ui/api/dependency', which), { cache: 'no-store' });
    const section = $('detail');
    if (r.status === 404) {
      // The dependency left the estate with the last write.
      $('detail-title').textContent = `${which.to}: no longer a dependency`;
      $('detail-trace').textContent = '';
      $('detail-resolution').textContent = '';
      $('detail-findings').replaceChildren();
      return;
    }
    if (!r.ok) throw new Error(`dependency: HTTP ${r.status}`);
    const detail = await r.json();
    $('detail-title').textContent = `${detail.row.app} → ${detail.row.to}: ${resultText(detail.row)}`;
    $('detail-trace').textContent = detail.trace_text;
    $('detail-resolution').textContent = detail.resolution_text || 'no resolution (a trace to an address)';
    const related = (detail.findings || []).map((i) => findings[i]).filter(Boolean);
    $('detail-findings').replaceChildren(
      ...(related.length ? related.map(renderFinding) : [el('p', 'No finding is about this dependency.', 'muted')]));
    section.hidden = false;
  }

  async function select(which) {
    selected = which;
    for (const tr of document.querySelectorAll('#dependencies tr.row')) {
      tr.classList.toggle('selected', tr.dataset.app === which.app && tr.dataset.to === which.to);
    }
    try {
      await showDetail(which);
      $('detail').scrollIntoView({ block: 'nearest' });
    } catch (e) {
      setStatus('could not load the trace: ' + e.message, 'error');
    }
  }

  /** Fetches the estate and lays it out; a request while one runs makes it run once more after. */
  async function refresh() {
    if (fetching) { fetchAgain = true; return; }
    fetching = true;
    try {
      do {
        fetchAgain = false;
        const r = await fetch(api('/ui/api/estate'), { cache: 'no-store' });
        if (!r.ok) throw new Error(`estate: HTTP ${r.status} ${await r.text()}`);
        const estate = await r.json();
        renderSummary(estate);
        renderDiagram(estate.diagram);
        findings = renderFindings(estate);
        renderRows(estate.rows || []);
        if (selected) await showDetail(selected);
        updates += 1;
        document.body.dataset.updates = String(updates);
        setStatus(`live · updated ${new Date().toLocaleTimeString()}`, 'live');
      } while (fetchAgain);
    } catch (e) {
      setStatus('error: ' + e.message, 'error');
    } finally {
      fetching = false;
    }
  }

  function follow() {
    const events = new EventSource(api('/ui/events'));
    // `ready` on (re)connecting: fetch, since writes may have landed while the stream was down.
    events.addEventListener('ready', refresh);
    events.addEventListener('commit', refresh);
    events.addEventListener('error', () => setStatus('disconnected from the twin; retrying…', 'error'));
  }

  refresh();
  follow();
})();
