// The console's script: charts on the home page, the live duty board, and
// countdowns. Everything it needs is in this bundle (no network loads).
import { initHome } from './home.js';
import { initBoard } from './board.js';
import { initCountdowns } from './countdown.js';
import { initFlow } from './flow.js';
import { initIntelGraph } from './intel_graph.js';

document.addEventListener('DOMContentLoaded', () => {
  if (document.getElementById('figures')) initHome();
  if (document.getElementById('board')) initBoard();
  const trace = document.getElementById('trace');
  if (trace) initFlow(trace);
  if (document.getElementById('intel-graph')) initIntelGraph();
  initCountdowns();
});
