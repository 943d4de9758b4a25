// The report form (报案登记): add victims and transfer rows in place. The
// links work without this script (they open the form with more rows); with
// it, a row is cloned with its field numbers advanced and nothing typed is
// lost. The 辖区 search fills the grouped picker from the datalist.
export function initCaseForm(form) {
  const renumber = (el, n, victim) => {
    for (const f of el.querySelectorAll('[name]')) {
      f.name = victim ? f.name.replace(/(_\d+)?$/, `_${n}`) : f.name.replace(/_\d+$/, `_${n}`);
      if (f.tagName === 'SELECT') f.selectedIndex = 0; else f.value = '';
      f.required = false;
    }
    el.dataset.row = n;
  };
  const next = (sel) => Math.max(...[...form.querySelectorAll(sel)].map((e) => Number(e.dataset.row))) + 1;

  form.querySelector('[data-add=victim]')?.addEventListener('click', (ev) => {
    ev.preventDefault();
    const rows = form.querySelectorAll('fieldset.victim');
    const n = next('fieldset.victim');
    const v = rows[rows.length - 1].cloneNode(true);
    renumber(v, n, true);
    v.querySelector('legend').textContent = `受害人 ${rows.length + 1}`;
    form.querySelector('#victim-rows').append(v);
    for (const s of form.querySelectorAll('select.victim-choice')) {
      const o = document.createElement('option');
      o.value = String(n);
      o.textContent = `受害人 ${rows.length + 1}`;
      s.append(o);
    }
  });

  form.querySelector('[data-add=transfer]')?.addEventListener('click', (ev) => {
    ev.preventDefault();
    const body = form.querySelector('#transfer-rows tbody');
    for (let i = 0; i < 5; i++) {
      const rows = body.querySelectorAll('tr');
      const tr = rows[rows.length - 1].cloneNode(true);
      const victims = tr.querySelector('select.victim-choice');
      renumber(tr, next('#transfer-rows tbody tr'), false);
      if (victims) victims.selectedIndex = 0;
      body.append(tr);
    }
  });

  const search = form.querySelector('#case-area-search');
  const picker = form.querySelector('#case-area');
  search?.addEventListener('change', () => {
    const o = [...form.querySelectorAll('#case-area-names option')].find((x) => x.value === search.value);
    if (o && picker) picker.value = o.dataset.id;
  });
}
