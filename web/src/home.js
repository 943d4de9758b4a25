import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { fmt, pick } from './format.js';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const charts = {};

function chart(id) {
  const el = document.getElementById(id);
  if (!el) return null;
  if (!charts[id]) charts[id] = echarts.init(el, null, { renderer: 'canvas' });
  return charts[id];
}

function draw(o) {
  const trend = chart('chart-trend');
  if (trend) {
    trend.setOption({
      title: { text: '近 30 天预警与案件', left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { data: ['预警', '案件'], right: 12, top: 8 },
      grid: { left: 48, right: 48, top: 48, bottom: 32 },
      xAxis: { type: 'category', data: o.daily.map((d) => d.day.slice(5)) },
      yAxis: [{ type: 'value', name: '预警' }, { type: 'value', name: '案件', minInterval: 1 }],
      series: [
        { name: '预警', type: 'bar', data: o.daily.map((d) => d.warnings), itemStyle: { color: '#1d4ed8' } },
        { name: '案件', type: 'line', yAxisIndex: 1, data: o.daily.map((d) => d.cases), itemStyle: { color: '#dc2626' }, smooth: true },
      ],
    });
  }
  const types = chart('chart-types');
  if (types) {
    types.setOption({
      title: { text: '本年案件类型', left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item', formatter: (p) => `${p.name}：${p.value} 起（${p.percent}%）` },
      series: [{ type: 'pie', radius: ['35%', '65%'], center: ['50%', '58%'],
        data: (o.by_type || []).map((t) => ({ name: t.name, value: t.cases })), label: { fontSize: 11 } }],
    });
  }
  const st = chart('chart-stations');
  if (st) {
    const rows = o.by_station || [];
    st.setOption({
      title: { text: '本年各派出所', left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { data: ['预警', '案件'], right: 12, top: 8 },
      grid: { left: 80, right: 24, top: 48, bottom: 24 },
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
    const v = pick(o, el.dataset.f);
    const f = fmt[el.dataset.fmt || 'int'];
    el.textContent = f(v);
  });
}

async function refresh() {
  const res = await fetch('/api/v1/figures/overview', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!res.ok) return;
  const o = await res.json();
  fill(o);
  draw(o);
  document.body.dataset.figuresAt = String(Date.now());
}

export function initHome() {
  refresh();
  setInterval(refresh, 10000);
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
}
