// The graph explorer (深挖扩线): expands an entity k hops through
// /api/v1/intel/graph/expand, draws the result with ECharts' force layout,
// and lists the nodes below the chart so every node can be opened or
// expanded without a mouse on the canvas. Expanding a node adds its
// neighbourhood to what is drawn; links carry their evidence. Beyond
// MAX_DRAWN nodes the farther hops are drawn collapsed, one node per hop
// and type with its count (「银行卡 227 个 · 第 3 跳」); clicking such a node
// draws its members one by one. Every drawn node is labelled, and the
// colour key sits above the chart, not on it.
import * as echarts from 'echarts/core';
import { GraphChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { esc } from './format.js';

echarts.use([GraphChart, TooltipComponent, CanvasRenderer]);

// MAX_DRAWN is how many single nodes the chart draws before collapsing.
const MAX_DRAWN = 300;

const TYPES = ['person', 'phone', 'card', 'device', 'ip', 'address', 'url', 'app', 'case'];
const TYPE_NAMES = { person: '人员', phone: '电话', card: '银行卡', device: '设备', ip: 'IP', address: '地址', url: '网址', app: 'APP', case: '案件' };
const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#111827'];

export function initIntelGraph() {
  const form = document.getElementById('graph-form');
  const el = document.getElementById('intel-graph');
  const status = document.getElementById('graph-status');
  const detail = document.getElementById('graph-detail');
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  const nodes = new Map();
  const links = new Map();

  function types() {
    return [...form.querySelectorAll('input[name=type]:checked')].map((i) => i.value);
  }

  const opened = new Set(); // collapsed groups (hop|type) the user opened

  function legend() {
    let key = document.getElementById('graph-legend');
    if (!key) {
      key = document.createElement('p');
      key.id = 'graph-legend';
      key.className = 'row';
      el.before(key);
    }
    key.innerHTML = TYPES.map((t, i) => `<span class="tag"><span style="display:inline-block;width:10px;height:10px;border-radius:50%;background:${COLORS[i]}"></span> ${esc(TYPE_NAMES[t])}</span>`).join(' ')
      + ' <span class="muted">虚线：受害关系（弱关联）；红框：关注名单</span>';
  }

  // layout decides which nodes are drawn alone and which collapse: the
  // nearest hops first, while fewer than MAX_DRAWN are drawn; the rest by
  // hop and type, unless opened.
  function layout(ns) {
    const byHop = ns.slice().sort((a, b) => a.hop - b.hop);
    const single = new Map();
    const groups = new Map();
    const drawnAs = new Map(); // ref -> the id it is drawn as
    for (const n of byHop) {
      const key = `${n.hop}|${n.type}`;
      if (n.hop === 0 || opened.has(key) || single.size < MAX_DRAWN) {
        single.set(n.ref, n);
        drawnAs.set(n.ref, n.ref);
        continue;
      }
      let g = groups.get(key);
      if (!g) {
        g = { id: 'g:' + key, key, type: n.type, hop: n.hop, count: 0, group: true };
        groups.set(key, g);
      }
      g.count++;
      drawnAs.set(n.ref, g.id);
    }
    return { single, groups, drawnAs };
  }

  function draw() {
    const visible = new Set(types());
    const ns = [...nodes.values()].filter((n) => visible.has(n.type) || n.hop === 0);
    const { single, groups, drawnAs } = layout(ns);
    const at = (ref) => drawnAs.get(ref);
    const drawnLinks = new Map();
    for (const l of links.values()) {
      const a = at(l.source);
      const b = at(l.target);
      if (!a || !b || a === b) continue;
      if (single.has(l.source) && single.has(l.target)) {
        drawnLinks.set(`${l.source}|${l.target}|${l.kind}`, { ...l, lineStyle: { type: l.strong ? 'solid' : 'dashed' } });
        continue;
      }
      const k = a < b ? `${a}|${b}` : `${b}|${a}`;
      const d = drawnLinks.get(k) || { source: a, target: b, count: 0, kind_label: '关系', evidence: '', aggregate: true };
      d.count++;
      d.evidence = `${d.count} 条关系（合并显示）`;
      d.lineStyle = { width: Math.min(6, 1 + Math.log2(d.count)) };
      drawnLinks.set(k, d);
    }
    const data = [...single.values()].map((n) => ({
      id: n.ref, name: n.label, ...n, category: TYPES.indexOf(n.type),
      symbolSize: n.hop === 0 ? 26 : (n.watch ? 20 : 12),
      itemStyle: n.watch ? { borderColor: '#dc2626', borderWidth: 3 } : undefined,
    })).concat([...groups.values()].map((g) => ({
      ...g, name: `${TYPE_NAMES[g.type]} ${g.count} 个 · 第 ${g.hop} 跳（点击展开）`,
      label: `${TYPE_NAMES[g.type]} ${g.count} 个`, category: TYPES.indexOf(g.type),
      symbol: 'roundRect', symbolSize: Math.min(48, 16 + 4 * Math.log2(g.count)),
    })));
    chart.setOption({
      tooltip: {
        formatter: (p) => (p.dataType === 'edge'
          ? `${esc(p.data.kind_label)}：${esc(p.data.evidence || '')}`
          : (p.data.group ? esc(p.data.name) : `${esc(TYPE_NAMES[p.data.type])} ${esc(p.data.label)}${p.data.score ? ` · 得分 ${p.data.score} 分` : ''}`)),
      },
      series: [{
        type: 'graph', layout: 'force', roam: true, draggable: true,
        force: { repulsion: 160, edgeLength: 70 },
        categories: TYPES.map((t, i) => ({ name: TYPE_NAMES[t], itemStyle: { color: COLORS[i] } })),
        label: { show: true, position: 'right', fontSize: 11, formatter: (p) => p.data.label || '' },
        data,
        links: [...drawnLinks.values()],
      }],
    }, true);
    const collapsed = [...groups.values()].reduce((s, g) => s + g.count, 0);
    if (collapsed) {
      status.textContent = `共 ${nodes.size} 个实体、${links.size} 条关系；单独画出 ${single.size} 个，其余 ${collapsed} 个按跳数和类型合并为 ${groups.size} 组（点击组展开）`;
    }
    renderList(ns);
  }

  function renderList(ns) {
    let table = document.getElementById('graph-nodes');
    if (!table) {
      table = document.createElement('table');
      table.id = 'graph-nodes';
      detail.after(table);
    }
    const rows = ns.slice().sort((a, b) => a.hop - b.hop || a.type.localeCompare(b.type)).map((n) => `<tr data-ref="${esc(n.ref)}" data-type="${esc(n.type)}">
      <td>${n.hop}</td><td>${esc(TYPE_NAMES[n.type])}</td><td>${esc(n.label)}</td><td class="num">${n.score ? esc(String(n.score)) : ''}</td>
      <td><button type="button" class="expand" data-ref="${esc(n.ref)}">展开</button>
      ${n.account_id ? ` <a href="/intel/accounts/${n.account_id}">账户研判</a>` : ''}
      ${n.case_id ? ` <a class="open-case" href="/cases/${n.case_id}">打开案件</a>` : ''}</td></tr>`).join('');
    table.innerHTML = `<thead><tr><th>跳</th><th>类型</th><th>实体</th><th>得分</th><th></th></tr></thead><tbody>${rows}</tbody>`;
  }

  async function expand(params) {
    const q = new URLSearchParams(params);
    // A province or city user's graph is one county's (?county= of the page).
    if (form.dataset.county) q.set('county', form.dataset.county);
    q.set('hops', form.querySelector('select[name=hops]').value);
    const t = types();
    if (t.length && t.length < TYPES.length) q.set('types', t.join(','));
    status.textContent = '正在展开…';
    const res = await fetch('/api/v1/intel/graph/expand?' + q.toString(), { credentials: 'same-origin' });
    const body = await res.json();
    if (!res.ok) { status.textContent = body.error || '展开失败'; return; }
    const from = nodes.get(body.start);
    const sh = from ? from.hop : 0;
    for (const n of body.nodes) {
      if (!nodes.has(n.ref)) nodes.set(n.ref, { ...n, hop: sh + n.hop });
    }
    for (const l of body.links) links.set(`${l.source}|${l.target}|${l.kind}`, l);
    status.textContent = `共 ${nodes.size} 个实体、${links.size} 条关系${body.truncated ? '（已达上限 5000，结果被截断）' : ''}`;
    draw();
  }

  async function showNode(n) {
    let html = `<h2>${esc(TYPE_NAMES[n.type])} ${esc(n.label)}</h2><p class="row"><button type="button" class="expand" data-ref="${esc(n.ref)}">从此展开</button>`;
    if (n.account_id) html += ` <a href="/intel/accounts/${n.account_id}">账户研判</a>`;
    if (n.case_id) html += ` <a class="open-case" href="/cases/${n.case_id}">打开案件</a>`;
    html += '</p>';
    if (n.case_id) {
      const res = await fetch(`/api/v1/intel/cases/${n.case_id}/linked`, { credentials: 'same-origin' });
      if (res.ok) {
        const body = await res.json();
        html += body.linked.length
          ? '<h3>串并案</h3><ul id="linked-cases">' + body.linked.map((l) => `<li><a href="/cases/${l.case_id}">案件 #${l.case_id}</a>：共同 ${l.shared.map(esc).join('、')}</li>`).join('') + '</ul>'
          : '<p class="muted">没有与其他案件共用的实体</p>';
      }
    }
    detail.innerHTML = html;
  }

  chart.on('click', (p) => {
    if (p.dataType === 'edge') {
      detail.innerHTML = `<h2>${esc(p.data.kind_label)}</h2><p>依据：${esc(p.data.evidence || '—')}</p>`;
    } else if (p.data && p.data.group) {
      opened.add(p.data.key);
      draw();
    } else if (p.data) {
      showNode(p.data);
    }
  });
  document.addEventListener('click', (e) => {
    const b = e.target.closest('button.expand');
    if (b) { e.preventDefault(); expand({ node: b.dataset.ref }); }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    nodes.clear();
    links.clear();
    opened.clear();
    start();
  });
  form.querySelectorAll('input[name=type]').forEach((i) => i.addEventListener('change', draw));
  window.addEventListener('resize', () => chart.resize());
  legend();

  function start() {
    const d = form.dataset;
    if (d.node) expand({ node: d.node });
    else if (d.account) expand({ account: d.account });
    else if (d.case) expand({ case: d.case });
  }
  start();
}
