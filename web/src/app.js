// The console's script: charts on the home page, the live duty board, and
// countdowns. Everything it needs is in this bundle (no network loads).
import { initHome } from './home.js';
import { initBoard } from './board.js';
import { initCountdowns } from './countdown.js';
import { initDashboard } from './dashboard.js'; // the 大屏
import { initCoverage } from './coverage.js'; // the coverage treemap
import { initSurveys } from './surveys.js'; // the awareness trend
import { initFlow } from './flow.js';
import { initIntelGraph } from './intel_graph.js';
import { initCaseForm } from './case_form.js'; // 报案登记: rows added in place

document.addEventListener('DOMContentLoaded', () => {
  if (document.getElementById('figures')) initHome();
  if (document.getElementById('board')) initBoard();
  if (document.getElementById('dashboard')) initDashboard();
  if (document.getElementById('coverage-map')) initCoverage();
  if (document.getElementById('survey-chart')) initSurveys();
  document.getElementById('print-button')?.addEventListener('click', () => window.print());
  const trace = document.getElementById('trace');
  if (trace) initFlow(trace);
  if (document.getElementById('intel-graph')) initIntelGraph();
  const caseForm = document.getElementById('case-form');
  if (caseForm) initCaseForm(caseForm);
  initCountdowns();
});
