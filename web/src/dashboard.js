// The 大屏: live counters, a schematic map of the stations drawn from the
// polygons of the jurisdiction tree (no map tiles), the 30-day trend, the
// fraud-type breakdown and the stations' cases, refreshed every 10 s from
// /api/v1/dashboard.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, MapChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent, GeoComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { fmt, pick, localTime } from './format.js';

echarts.use([BarChart, LineChart, PieChart, MapChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent,
  VisualMapComponent, GeoComponent, CanvasRenderer]);

const TEXT = '#e2e8f0';
const charts = {};
let mapKey = '';

function chart(id) {
  const el = document.getElementById(id);
  if (!el) return null;
  if (!charts[id]) charts[id] = echarts.init(el, null, { renderer: 'canvas' });
  return charts[id];
}

const title = (text) => ({ text, left: 12, top: 8, textStyle: { fontSize: 15, color: TEXT } });

// The stations as a GeoJSON collection; the tree's shapes have y pointing
// down, GeoJSON latitude points up.
function geo(stations) {
  return {
    type: 'FeatureCollection',
    features: stations.map((s) => ({
      type: 'Feature',
      properties: { name: s.name },
      geometry: { type: 'Polygon', coordinates: [[...s.polygon, s.polygon[0]].map(([x, y]) => [x, -y])] },
    })),
  };
}

function draw(d) {
  const o = d.overview;
  const stations = d.stations || [];
  const key = stations.map((s) => s.id + ':' + s.polygon.join(',')).join('|');
  if (key !== mapKey) {
    echarts.registerMap('fanzha-county', geo(stations));
    mapKey = key;
  }
  const max = Math.max(1, ...stations.map((s) => s.cases));
  chart('dash-map')?.setOption({
    title: title('各派出所本年案件（示意图）'),
    tooltip: { trigger: 'item', formatter: (p) => `${p.name}<br>案件 ${fmt.int(p.value)} 起` },
    visualMap: { min: 0, max, left: 12, bottom: 12, text: ['多', '少'], textStyle: { color: TEXT }, calculable: true,
      inRange: { color: ['#1e3a8a', '#f59e0b', '#dc2626'] } },
    series: [{ type: 'map', map: 'fanzha-county', roam: false, top: 48, bottom: 24,
      label: { show: true, color: '#fff', fontSize: 12, formatter: (p) => `${p.name.replace('派出所', '')}\n${p.value || 0}` },
      itemStyle: { borderColor: '#93c5fd', borderWidth: 1 },
      emphasis: { label: { color: '#fff' }, itemStyle: { areaColor: '#2563eb' } },
      data: stations.map((s) => ({ name: s.name, value: s.cases })) }],
  });
  chart('dash-types')?.setOption({
    title: title('本年诈骗类型'),
    tooltip: { trigger: 'item', formatter: (p) => `${p.name}：${fmt.int(p.value)} 起（${p.percent}%）` },
    series: [{ type: 'pie', radius: ['35%', '62%'], center: ['50%', '56%'], label: { color: TEXT, fontSize: 12 },
      data: (o.by_type || []).map((t) => ({ name: t.name, value: t.cases })) }],
  });
  const daily = o.daily || [];
  chart('dash-trend')?.setOption({
    title: title('近 30 天预警与案件'),
    tooltip: { trigger: 'axis' },
    legend: { data: ['预警', '案件'], right: 12, top: 8, textStyle: { color: TEXT } },
    grid: { left: 44, right: 40, top: 48, bottom: 28 },
    xAxis: { type: 'category', data: daily.map((p) => p.day.slice(5)), axisLabel: { color: TEXT } },
    yAxis: [{ type: 'value', minInterval: 1, axisLabel: { color: TEXT }, splitLine: { lineStyle: { color: '#1e3a8a' } } },
      { type: 'value', minInterval: 1, axisLabel: { color: TEXT }, splitLine: { show: false } }],
    series: [
      { name: '预警', type: 'bar', data: daily.map((p) => p.warnings), itemStyle: { color: '#3b82f6' } },
      { name: '案件', type: 'line', yAxisIndex: 1, data: daily.map((p) => p.cases), itemStyle: { color: '#f87171' }, smooth: true },
    ],
  });
  const rows = stations.slice().reverse();
  chart('dash-stations')?.setOption({
    title: title('各派出所本年损失（万元）'),
    tooltip: { trigger: 'axis' },
    grid: { left: 70, right: 24, top: 44, bottom: 24 },
    xAxis: { type: 'value', axisLabel: { color: TEXT }, splitLine: { lineStyle: { color: '#1e3a8a' } } },
    yAxis: { type: 'category', data: rows.map((s) => s.name.replace('派出所', '')), axisLabel: { color: TEXT } },
    series: [{ type: 'bar', data: rows.map((s) => Math.round(s.loss_fen / 10000) / 100), itemStyle: { color: '#f59e0b' } }],
  });
}

function fill(d) {
  document.querySelectorAll('#dashboard [data-f]').forEach((el) => {
    const text = fmt[el.dataset.fmt || 'int'](pick(d, el.dataset.f));
    if (el.textContent !== text) el.textContent = text;
  });
}

async function refresh() {
  const at = document.getElementById('dash-at');
  try {
    const res = await fetch('/api/v1/dashboard', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.status === 401) {
      window.location.assign('/login?next=/dashboard');
      return;
    }
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const d = await res.json();
    fill(d);
    draw(d);
    if (at) { at.textContent = '数据时间 ' + localTime(d.overview.as_of, true); at.classList.remove('stale'); }
    document.body.dataset.dashboardAt = String(Date.now());
  } catch (e) {
    if (at) { at.textContent = '数据更新失败，稍后自动重试'; at.classList.add('stale'); }
  }
}

export function initDashboard() {
  const every = Number(document.getElementById('dashboard').dataset.refresh) || 10000;
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, every);
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
}
