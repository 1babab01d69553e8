// The reproduction's static index.html: the table of targets and the figures.
import { escapeXml as esc } from './figure.ts';

export interface TableRow {
  id: string;
  figure: string;
  condition: string;
  paper: string;
  emulated: string;
  tolerance: string;
  pass: boolean;
  source: string;
  note?: string;
}

export function renderIndexHtml(opts: { title: string; rows: TableRow[]; figures: { id: string; file: string; caption: string; about?: string }[]; meta: Record<string, string>; intro?: string }): string {
  const pass = opts.rows.filter((r) => r.pass).length;
  const meta = Object.entries(opts.meta).map(([k, v]) => `<span><b>${esc(k)}</b> ${esc(v)}</span>`).join(' · ');
  const rows = opts.rows
    .map(
      (r) => `<tr class="${r.pass ? 'pass' : 'fail'}"><td>${esc(r.id)}</td><td>${esc(r.figure)}</td><td>${esc(r.condition)}</td><td>${esc(r.paper)}</td><td>${esc(r.emulated)}</td><td>${esc(r.tolerance)}</td><td class="verdict">${r.pass ? 'pass' : 'fail'}</td><td>${r.source ? `<a href="${esc(r.source)}">${esc(r.source)}</a>` : '<small>no run yet</small>'}${r.note ? `<br><small>${esc(r.note)}</small>` : ''}</td></tr>`,
    )
    .join('\n');
  const figs = opts.figures.map((f) => `<figure id="${esc(f.id)}"><img src="${esc(f.file)}" alt="${esc(f.caption)}"><figcaption><b>${esc(f.caption)}</b>${f.about ? `<br>${esc(f.about)}` : ''}</figcaption></figure>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(opts.title)}</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}tr.pass .verdict{background:#d9f2d9;color:#1d5e1d;font-weight:bold}tr.fail .verdict{background:#f8d7d7;color:#8a1f1f;font-weight:bold}
.summary{font-size:18px;margin:12px 0}figure{display:inline-block;margin:12px;max-width:722px;vertical-align:top}img{max-width:720px;border:1px solid #eee}
small{color:#666}.meta span{margin-right:8px}
</style></head><body>
<h1>${esc(opts.title)}</h1>
<p class="meta">${meta}</p>
${opts.intro ? `<p>${esc(opts.intro)}</p>` : ''}
<p class="summary">${pass}/${opts.rows.length} rows pass</p>
<table><thead><tr><th>id</th><th>figure</th><th>condition</th><th>paper</th><th>emulated</th><th>tolerance</th><th>verdict</th><th>source</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Figures</h2>
${figs}
</body></html>
`;
}
