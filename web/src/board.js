import { esc, localTime } from './format.js';
import { tick } from './countdown.js';

const gradeName = { fund: '资金预警', high: '高危', ordinary: '一般' };

function row(it, fresh, mine) {
  const p = it.person || {};
  const due = it.due_kind === 'none' ? '已联系' : localTime(it.due, true);
  const dueMs = it.due_kind === 'none' ? 0 : new Date(it.due).getTime();
  return `<tr class="g-${esc(it.grade)}${it.overdue ? ' overdue' : ''}${fresh ? ' fresh' : ''}" data-id="${it.id}">
  <td class="due" data-due="${dueMs}" data-kind="${esc(it.due_kind)}">${esc(due)}</td>
  <td class="exp"${it.waiting ? ` title="${esc(it.why)}"` : ''}>${it.waiting ? esc(it.expected_text) : '<span class="muted">已联系</span>'}</td>
  <td><span class="tag g-${esc(it.grade)}">${esc(gradeName[it.grade] || it.grade)}</span>${it.merged_count ? ` <span class="tag">+${it.merged_count}</span>` : ''}</td>
  <td><a href="/warnings/${it.id}">${esc(p.name)}</a> <span class="phone">${esc(p.phone)}</span>${p.age ? ` · ${p.age}岁` : ''}</td>
  <td>${esc(window.fanzhaTypes && window.fanzhaTypes[it.fraud_type] || it.fraud_type || '')}</td>
  <td class="opt">${it.station_name ? esc(it.station_name) : '<span class="red">中心队列</span>'}</td>
  <td${mine ? ' class="opt"' : ''}>${esc(it.assignee_name || '—')}</td>
  <td class="opt">${esc(localTime(it.received_at, true))}</td></tr>`;
}

export function initBoard() {
  const table = document.getElementById('board');
  const body = document.getElementById('board-body');
  // Type names come from the filter's options, so the script needs no copy
  // of the taxonomy.
  window.fanzhaTypes = {};
  document.querySelectorAll('select[name="type"] option').forEach((o) => { if (o.value) window.fanzhaTypes[o.value] = o.textContent; });
  const params = new URLSearchParams(window.location.search);
  if (table.dataset.mine === 'true') params.set('mine', '1');
  let known = new Set([...body.querySelectorAll('tr[data-id]')].map((r) => r.dataset.id));
  // One reload at a time; an event that arrives during a reload asks for
  // another one after it, so a busy stream of warnings never drops the last.
  let loading = false;
  let again = false;
  async function reload() {
    if (loading) { again = true; return; }
    loading = true;
    again = false;
    try {
      const res = await fetch('/api/v1/board?' + params.toString(), { credentials: 'same-origin' });
      if (!res.ok) return;
      const data = await res.json();
      const items = data.items || [];
      body.innerHTML = items.length ? items.map((it) => row(it, !known.has(String(it.id)), table.dataset.mine === 'true')).join('')
        : '<tr class="empty"><td colspan="8">没有在办预警</td></tr>';
      known = new Set(items.map((it) => String(it.id)));
      const c = document.getElementById('board-count');
      if (c) c.textContent = String(items.length);
      tick();
    } catch (e) {
      // Offline for a moment: the next event or the interval tries again.
    } finally {
      loading = false;
      if (again) reload();
    }
  }
  if (window.EventSource) {
    const es = new EventSource('/api/v1/events');
    es.addEventListener('warnings', () => reload());
  }
  setInterval(reload, 15000);
}
