// Chinese number and money formatting shared by the pages.
export const fmt = {
  int: (n) => Number(n || 0).toLocaleString('zh-CN'),
  // 万元 with two decimals, rounded in whole hundredths of 万 first so the
  // figure matches the server's rendering to the last digit.
  wan: (fen) => (Math.round(Number(fen || 0) / 10000) / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  permille: (p) => (Number(p || 0) / 10).toFixed(1) + '%',
  yuan: (fen) => (Number(fen || 0) / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
};

export function pick(obj, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

export function esc(s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function localTime(iso, withSeconds, withYear) {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  // Asia/Shanghai is UTC+8 all year.
  const t = new Date(d.getTime() + 8 * 3600 * 1000);
  let s = `${withYear ? t.getUTCFullYear() + '-' : ''}${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}`;
  if (withSeconds) s += `:${p(t.getUTCSeconds())}`;
  return s;
}
