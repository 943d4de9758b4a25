// The awareness trend: the pooled monthly rate (Σ aware ÷ Σ sample) under
// the user's node, from the page's data-months="YYYY-MM:permille,…".
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export function initSurveys() {
  const el = document.getElementById('survey-chart');
  const points = (el.dataset.months || '').split(',').filter(Boolean).map((s) => {
    const [month, p] = s.split(':');
    return [month, Number(p) / 10];
  });
  if (!points.length) { el.style.display = 'none'; return; }
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({
    title: { text: '知晓率（按月汇总）', left: 12, top: 8, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis', valueFormatter: (v) => v.toFixed(1) + '%' },
    grid: { left: 48, right: 24, top: 48, bottom: 28 },
    xAxis: { type: 'category', data: points.map((p) => p[0]) },
    yAxis: { type: 'value', min: (v) => Math.max(0, Math.floor(v.min / 10) * 10), max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{ type: 'line', data: points.map((p) => p[1]), smooth: true, itemStyle: { color: '#16a34a' }, areaStyle: { opacity: 0.12 } }],
  });
  document.body.dataset.surveysDrawn = '1';
  window.addEventListener('resize', () => chart.resize());
}
