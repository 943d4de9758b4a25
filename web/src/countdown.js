// Live countdowns on deadlines: "还剩 mm:ss", red "已超时 mm:ss" once past.
function two(n) { return String(n).padStart(2, '0'); }

function span(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return (h ? `${h}:${two(m)}` : `${m}`) + `:${two(s % 60)}`;
}

export function tick() {
  const now = Date.now();
  document.querySelectorAll('[data-due]').forEach((el) => {
    const due = Number(el.dataset.due);
    // A contacted or closed warning carries no live deadline (kind "none" on
    // the board, "done" on a warning's page): its time is a fact, not a countdown.
    if (!due || el.dataset.kind === 'none' || el.dataset.kind === 'done') return;
    const left = due - now;
    const what = { onsite: '核查', feedback: '反馈', sign: '签收' }[el.dataset.kind] || '联系';
    el.textContent = left >= 0 ? `${what}还剩 ${span(left)}` : `${what}已超时 ${span(left)}`;
    el.classList.toggle('late', left < 0);
    const tr = el.closest('tr');
    if (tr) tr.classList.toggle('overdue', left < 0);
  });
}

export function initCountdowns() {
  if (!document.querySelector('[data-due]') && !document.getElementById('board')) return;
  tick();
  setInterval(tick, 1000);
}
