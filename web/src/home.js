// The home page: figure cards and three ECharts charts, refreshed from
// /api/v1/figures/overview every 10 s without reloading the page.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { fmt, pick, localTime } from './format.js';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const BLUE = '#1d4ed8';
const RED = '#dc2626';
const charts = {};

function chart(id) {
  const el = document.getElementById(id);
  if (!el) return null;
  if (!charts[id]) charts[id] = echarts.init(el, null, { renderer: 'canvas' });
  return charts[id];
}

const narrow = () => window.innerWidth < 760;

function draw(o) {
  const daily = o.daily || [];
  const trend = chart('chart-trend');
  if (trend) {
    trend.setOption({
      title: { text: '近 30 天预警与案件', left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { data: ['预警', '案件'], right: 12, top: 8 },
      grid: { left: 44, right: 36, top: 48, bottom: 28 },
      xAxis: { type: 'category', data: daily.map((d) => d.day.slice(5)) },
      yAxis: [
        { type: 'value', minInterval: 1, axisLabel: { color: BLUE } },
        { type: 'value', minInterval: 1, axisLabel: { color: RED }, splitLine: { show: false } },
      ],
      series: [
        { name: '预警', type: 'bar', data: daily.map((d) => d.warnings), itemStyle: { color: BLUE } },
        { name: '案件', type: 'line', yAxisIndex: 1, data: daily.map((d) => d.cases), itemStyle: { color: RED }, smooth: true },
      ],
    });
  }
  const types = chart('chart-types');
  if (types) {
    types.setOption({
      title: { text: '本年案件类型', left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item', formatter: (p) => `${p.name}：${fmt.int(p.value)} 起（${p.percent}%）` },
      series: [{ type: 'pie', radius: narrow() ? ['25%', '50%'] : ['35%', '65%'], center: ['50%', '58%'],
        data: (o.by_type || []).map((t) => ({ name: t.name, value: t.cases })), label: { fontSize: 11 } }],
    });
  }
  const st = chart('chart-stations');
  if (st) {
    const rows = (o.by_station || []).slice().reverse(); // first station on top
    st.setOption({
      title: { text: '本年各派出所', left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { data: ['预警', '案件'], right: 12, top: 8 },
      grid: { left: 64, right: 24, top: 48, bottom: 24 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: rows.map((r) => r.name.replace('派出所', '')) },
      series: [
        { name: '预警', type: 'bar', data: rows.map((r) => r.warnings), itemStyle: { color: '#60a5fa' } },
        { name: '案件', type: 'bar', data: rows.map((r) => r.cases), itemStyle: { color: '#f87171' } },
      ],
    });
  }
}

function fill(o) {
  document.querySelectorAll('#figures [data-f]').forEach((el) => {
    const f = fmt[el.dataset.fmt || 'int'];
    const text = f(pick(o, el.dataset.f));
    if (el.textContent !== text) {
      el.textContent = text;
      el.classList.remove('changed');
      void el.offsetWidth; // restart the highlight
      el.classList.add('changed');
    }
  });
}

function stamp(text, failed) {
  const at = document.getElementById('figures-at');
  if (!at) return;
  at.textContent = text;
  at.classList.toggle('stale', !!failed);
}

async function refresh() {
  try {
    const res = await fetch('/api/v1/figures/overview', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.status === 401) { // the session ended: back to the login page
      window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
      return;
    }
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const o = await res.json();
    fill(o);
    draw(o);
    stamp('数据时间 ' + localTime(o.as_of, true));
    document.body.dataset.figuresAt = String(Date.now());
  } catch (e) {
    stamp('数据更新失败，稍后自动重试', true);
  }
}

export function initHome() {
  const every = Number(document.getElementById('figures').dataset.refresh) || 10000;
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, every);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
}
