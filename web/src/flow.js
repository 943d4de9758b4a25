// The case page's fund trace (资金穿透): runs GET /api/v1/cases/{id}/trace,
// draws the flow graph with ECharts (columns by hop; accounts sized by the
// traced money still there; frozen accounts marked), explains a node's
// money on click, lists an edge's transfers on click, and sends a
// stop-payment or freeze of a candidate account to its bank in one click.
import * as echarts from 'echarts/core';
import { GraphChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { fmt, esc, localTime } from './format.js';

echarts.use([GraphChart, TooltipComponent, CanvasRenderer]);

const COLORS = { victim: '#ea580c', account: '#1d4ed8', frozen: '#15803d', leaf: '#9ca3af', empty: '#93c5fd' };

export function initFlow(root) {
  const caseID = root.dataset.case;
  const unmask = root.dataset.unmask === '1';
  const canRequest = root.dataset.canRequest === '1';
  const form = root.querySelector('#trace-form');
  const summary = root.querySelector('#trace-summary');
  const detail = root.querySelector('#trace-detail');
  const table = root.querySelector('#trace-candidates tbody');
  const graphEl = root.querySelector('#flow-graph');
  const chart = echarts.init(graphEl, null, { renderer: 'canvas' });
  window.addEventListener('resize', () => chart.resize());
  let last = null; // the last trace and its query

  function query() {
    const q = new URLSearchParams();
    const fd = new FormData(form);
    q.set('rule', fd.get('rule') || 'fifo');
    if (fd.get('libr')) q.set('libr', '1');
    if (fd.get('max_hops')) q.set('max_hops', fd.get('max_hops'));
    if (fd.get('max_lag')) q.set('max_lag', fd.get('max_lag'));
    if (fd.get('as_of')) q.set('as_of', fd.get('as_of'));
    if (unmask) q.set('unmask', '1');
    return q;
  }

  async function run() {
    const q = query();
    root.classList.add('loading');
    summary.textContent = '正在追踪资金…';
    try {
      const r = await fetch(`/api/v1/cases/${caseID}/trace?${q}`, { headers: { Accept: 'application/json' } });
      const body = await r.json();
      if (!r.ok) throw new Error(body.error || r.statusText);
      last = { t: body, q };
      render(body);
    } catch (e) {
      summary.innerHTML = `<p class="red">追踪失败：${esc(e.message)}</p>`;
    } finally {
      root.classList.remove('loading');
    }
  }

  function render(t) {
    let html = '';
    // What changed in the victims and transfers since the trace was last
    // looked at (this look clears it for the next one).
    if (t.changes && t.changes.changed) html += `<p class="red" id="trace-changes">${esc(t.changes.text)}；以下为按最新数据的追踪结果。</p>`;
    html += '<table class="compact"><thead><tr><th>受害人</th><th>被骗（元）</th><th>仍在账户（元）</th><th>已流出追踪范围</th></tr></thead><tbody>';
    for (const v of t.victims) {
      const leaves = Object.entries(v.leaf_fen || {}).filter(([, f]) => f > 0).map(([k, f]) => `${t.leaf_names[k] || k} ${fmt.yuan(f)}`).join('，') || '—';
      html += `<tr><td>${esc(v.name)}</td><td class="num">${fmt.yuan(v.lost_fen)}</td><td class="num trace-remaining">${fmt.yuan(v.remaining_fen)}</td><td>${esc(leaves)}</td></tr>`;
    }
    html += '</tbody></table>';
    const rule = t.options.rule === 'proportional' ? '按比例' : '先进先出';
    html += `<p class="muted">规则：${rule}${t.options.libr_cap ? '＋最低余额规则' : ''}；余额截至 ${t.as_of ? localTime(t.as_of, true, true) : '无流水'}；读取 ${fmt.int(t.scope.accounts)} 个账户的 ${fmt.int(t.scope.rows)} 条流水${t.scope.truncated ? '（已达上限，更远的账户按未调取流水处理）' : ''}。</p>`;
    summary.innerHTML = html;
    drawGraph(t);
    drawCandidates(t);
    detail.innerHTML = '<p class="muted">点击账户查看资金来路，点击连线查看转账。</p>';
  }

  function drawGraph(t) {
    // Columns by depth: victims at 0, accounts at depth+1, leaves after
    // the account they left.
    const cols = new Map();
    const col = (n) => (n.kind === 'victim' ? 0 : n.depth + 1 + (n.kind === 'leaf' ? 1 : 0));
    for (const n of t.nodes) {
      const c = col(n);
      if (!cols.has(c)) cols.set(c, []);
      cols.get(c).push(n);
    }
    const maxBal = Math.max(1, ...t.nodes.filter((n) => n.kind === 'account').map((n) => n.balance_fen));
    const data = [];
    for (const [c, list] of cols) {
      list.forEach((n, i) => {
        const color = n.kind === 'account' ? (n.frozen ? COLORS.frozen : n.balance_fen > 0 ? COLORS.account : COLORS.empty) : COLORS[n.kind];
        const size = n.kind === 'account' ? 14 + 40 * Math.sqrt(n.balance_fen / maxBal) : n.kind === 'victim' ? 22 : 12;
        data.push({
          id: n.id, name: n.id, x: c * 220, y: (i - (list.length - 1) / 2) * 90,
          symbol: n.kind === 'leaf' ? 'rect' : n.kind === 'victim' ? 'diamond' : 'circle', symbolSize: size,
          itemStyle: { color, borderColor: n.frozen ? '#14532d' : '#fff', borderWidth: n.frozen ? 3 : 1 },
          label: { show: true, position: 'bottom', fontSize: 11,
            formatter: () => (n.kind === 'account' ? `${n.label}${n.frozen ? ' [已冻结]' : ''}\n余 ${fmt.yuan(n.balance_fen)}` : n.label) },
          node: n,
        });
      });
    }
    const links = t.edges.map((e) => ({ source: e.from, target: e.to, value: e.total_fen, edge: e,
      lineStyle: { width: 1 + 6 * Math.sqrt(e.total_fen / Math.max(1, ...t.edges.map((x) => x.total_fen))), curveness: 0.08 } }));
    chart.setOption({
      animation: false,
      tooltip: {
        formatter: (p) => {
          if (p.dataType === 'edge') return `${esc(label(t, p.data.source))} → ${esc(label(t, p.data.target))}<br>${p.data.edge.transfers} 笔，${fmt.yuan(p.data.value)} 元`;
          const n = p.data.node;
          return `${esc(n.label)}${n.bank ? '<br>' + esc(n.bank) : ''}<br>流入 ${fmt.yuan(n.received_fen)} 元${n.kind === 'account' ? `<br>留存 ${fmt.yuan(n.balance_fen)} 元` : ''}`;
        },
      },
      series: [{
        type: 'graph', layout: 'none', roam: true, data, links, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 7,
        lineStyle: { color: '#64748b', opacity: 0.7 }, emphasis: { focus: 'adjacency' },
      }],
    }, true);
    chart.off('click');
    chart.on('click', (p) => (p.dataType === 'edge' ? showEdge(t, p.data.edge) : showNode(t, p.data.node)));
    graphEl.dataset.nodes = String(t.nodes.length);
    graphEl.dataset.edges = String(t.edges.length);
  }

  function label(t, id) {
    const n = t.nodes.find((x) => x.id === id);
    return n ? n.label : id;
  }

  function showEdge(t, e) {
    const names = Object.fromEntries(t.victims.map((v) => [v.victim_id, v.name]));
    detail.innerHTML = `<h3>${esc(label(t, e.from))} → ${esc(label(t, e.to))}</h3>
      <p>${e.transfers} 笔转账，共 ${fmt.yuan(e.total_fen)} 元（追踪到的受害人资金），${localTime(e.first_at, true)} 至 ${localTime(e.last_at, true)}</p>
      <table class="compact"><thead><tr><th>受害人</th><th>金额（元）</th></tr></thead><tbody>
      ${e.amounts.map((a) => `<tr><td>${esc(names[a.victim_id] || a.victim_id)}</td><td class="num">${fmt.yuan(a.amount_fen)}</td></tr>`).join('')}</tbody></table>`;
  }

  async function showNode(t, n) {
    if (n.kind === 'victim') {
      detail.innerHTML = `<h3>${esc(n.label)}</h3><p>转出 ${fmt.yuan(n.received_fen)} 元。</p>`;
      return;
    }
    const victims = n.kind === 'account' ? (n.balance || []).map((b) => b.victim_id) : t.victims.map((v) => v.victim_id);
    const ids = victims.length ? victims : t.victims.map((v) => v.victim_id);
    detail.innerHTML = `<h3>${esc(n.label)}</h3><p class="muted">正在查询资金来路…</p>`;
    const parts = [];
    for (const v of ids) {
      const q = new URLSearchParams(last.q);
      q.set('node', n.id);
      q.set('victim', v);
      const r = await fetch(`/api/v1/cases/${caseID}/trace/explain?${q}`);
      const ex = await r.json();
      if (!r.ok) { parts.push(`<p class="red">${esc(ex.error)}</p>`); continue; }
      if (ex.amount_fen === 0 && ex.received_fen === 0) continue;
      parts.push(`<pre class="explain">${esc(ex.text)}</pre>`);
    }
    detail.innerHTML = `<h3>${esc(n.label)}${n.bank ? ' · ' + esc(n.bank) : ''}</h3>${parts.join('') || '<p class="muted">没有受害人资金经过此处。</p>'}`;
  }

  function drawCandidates(t) {
    table.innerHTML = '';
    if (!t.candidates.length) {
      table.innerHTML = '<tr class="empty"><td colspan="8">没有账户留存追踪到的资金</td></tr>';
      return;
    }
    for (const c of t.candidates) {
      const tr = document.createElement('tr');
      const reqs = c.requests.map((q) => `${esc(q.kind_name)}#${q.id} ${esc(q.status_name)}${q.result_fen ? ' ' + fmt.yuan(q.result_fen) : ''}`).join('<br>');
      tr.innerHTML = `<td>${esc(c.account)}</td><td>${esc(c.bank || '—')}${c.branch ? '<br><span class="muted">' + esc(c.branch) + '</span>' : ''}</td><td>${esc(c.holder || '—')}</td>
        <td class="num">${fmt.yuan(c.balance_fen)}</td><td>${localTime(c.last_in_at, true)}</td><td class="num">${c.depth + 1}</td><td class="reqs">${reqs || '—'}</td><td class="actions"></td>`;
      const cell = tr.querySelector('.actions');
      if (canRequest && c.account_id) {
        for (const [kind, name] of [['stop_payment', '止付'], ['freeze', '冻结']]) {
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = name;
          b.className = kind === 'freeze' ? 'primary' : '';
          b.dataset.kind = kind;
          b.addEventListener('click', () => request(c, kind, b, tr));
          cell.append(b, ' ');
        }
        const banks = root.querySelector('#trace-banks');
        if (!c.unit_id && banks) {
          // The account's bank is not a member unit (or unknown): the
          // investigator chooses where the request goes.
          const sel = banks.cloneNode(true);
          sel.hidden = false;
          sel.removeAttribute('id');
          sel.className = 'unit-choice';
          cell.prepend(sel, document.createElement('br'));
        }
      }
      table.append(tr);
    }
  }

  async function request(c, kind, button, tr) {
    const name = kind === 'freeze' ? '冻结' : '止付';
    const choice = tr.querySelector('select.unit-choice');
    const to = choice && choice.value ? choice.selectedOptions[0].textContent : (c.unit_name || c.bank || '银行');
    button.disabled = true;
    const o = last.t.options;
    const body = { kind, account_id: c.account_id, rule: o.rule, libr: !!o.libr_cap, max_hops: o.max_hops || 0 };
    if (choice) {
      if (!choice.value) { flash('请先选择接收请求的银行', true); button.disabled = false; return; }
      body.unit_id = Number(choice.value);
    }
    const fd = new FormData(form);
    if (fd.get('max_lag')) body.max_lag = fd.get('max_lag');
    if (fd.get('as_of')) body.as_of = fd.get('as_of');
    try {
      // The server answers the full account number for an officer who may
      // see it (audited), so the confirmation names the account frozen.
      const pr = await fetch(`/api/v1/cases/${caseID}/trace/requests`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': document.body.dataset.csrf }, body: JSON.stringify({ ...body, preview: true }),
      });
      const pv = await pr.json();
      if (!pr.ok) throw new Error(pv.error || pr.statusText);
      if (!confirm(`向${pv.unit_name || to}发出${name}请求：账户 ${pv.account}，金额 ${fmt.yuan(pv.amount_fen)} 元？`)) { button.disabled = false; return; }
      const r = await fetch(`/api/v1/cases/${caseID}/trace/requests`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': document.body.dataset.csrf }, body: JSON.stringify(body),
      });
      const res = await r.json();
      if (!r.ok) throw new Error(res.error || r.statusText);
      const cell = tr.querySelector('.reqs');
      cell.innerHTML = (cell.textContent === '—' ? '' : cell.innerHTML + '<br>') + `${name}#${res.request_id} 已发送`;
      const list = document.querySelector('#case-requests tbody');
      if (list) {
        list.querySelector('tr.empty')?.remove();
        list.insertAdjacentHTML('afterbegin', `<tr><td>#${res.request_id}</td><td>${name}</td><td>${esc(res.unit_name)}</td><td>${esc(res.account)}</td>
          <td class="num">${fmt.yuan(res.amount_fen)}</td><td>—</td><td class="req-status">已发送</td><td></td><td class="num req-result"></td></tr>`);
      }
      flash(`已向${res.unit_name}发出${name}请求 #${res.request_id}`);
    } catch (e) {
      flash(`${name}请求未发出：${e.message}`, true);
      button.disabled = false;
    }
  }

  function flash(msg, bad) {
    let el = root.querySelector('.trace-flash');
    if (!el) {
      el = document.createElement('p');
      el.className = 'trace-flash';
      root.querySelector('#trace-candidates').before(el);
    }
    el.textContent = msg;
    el.classList.toggle('red', !!bad);
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  run();
}

