// The coverage map: the jurisdiction tree as an ECharts treemap, each
// block's area its population, its colour the band the server computed
// (prevent.Bands, the same as the legend): the share of its villages and
// communities reached in the period (red none, amber some, green all); a
// village with grid cells by the share of its cells, each cell drawn.
import * as echarts from 'echarts/core';
import { TreemapChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { fmt } from './format.js';

echarts.use([TreemapChart, TooltipComponent, CanvasRenderer]);

function toData(n) {
  return {
    name: n.name,
    value: n.value,
    info: n,
    itemStyle: { color: n.colour },
    children: (n.children || []).map(toData),
  };
}

export async function initCoverage() {
  const el = document.getElementById('coverage-map');
  const res = await fetch(el.dataset.source, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!res.ok) { el.textContent = '覆盖图加载失败'; return; }
  const c = await res.json();
  const root = c.tree;
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({
    tooltip: {
      formatter: (p) => {
        const n = p.data && p.data.info;
        if (!n) return p.name;
        const reach = n.level === 'cell' ? (n.cells_reached ? '已开展活动' : '未开展活动')
          : `村/社区覆盖 ${n.villages_reached}/${n.villages}` + (n.cells ? `<br>网格 ${n.cells_reached}/${n.cells}` : '');
        return `${n.name}<br>人口 ${fmt.int(n.value)}<br>${reach}<br>活动 ${fmt.int(n.events)} 场，${fmt.int(n.people)} 人次`;
      },
    },
    series: [{
      type: 'treemap', name: root.name, roam: false, nodeClick: 'zoomToNode', leafDepth: 2,
      breadcrumb: { show: true, bottom: 4 },
      label: { show: true, formatter: (p) => {
        const n = p.data && p.data.info;
        if (!n) return p.name;
        if (n.level === 'cell') return p.name;
        if (n.level === 'village' && n.cells) return `${p.name}\n网格 ${n.cells_reached}/${n.cells}`;
        return `${p.name}\n${n.villages_reached}/${n.villages}`;
      } },
      upperLabel: { show: true, height: 22, color: '#111827', fontWeight: 'bold' },
      levels: [{ itemStyle: { borderColor: '#fff', borderWidth: 3, gapWidth: 3 } }, { itemStyle: { borderColor: '#eee', borderWidth: 2, gapWidth: 2 } },
        { itemStyle: { borderColor: '#fff', borderWidth: 1, gapWidth: 1 } }],
      data: (root.children && root.children.length ? root.children : [root]).map(toData),
    }],
  });
  document.body.dataset.coverageDrawn = '1';
  window.addEventListener('resize', () => chart.resize());
}
