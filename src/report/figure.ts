// One paper-style figure as a self-contained SVG: grouped bars = bandwidth
// (left axis, Gbps), lines = core utilization per Gbps (right axis), the
// paper's stated numbers as dashed markers. Deterministic output.

export interface FigureSeries {
  name: string;
  bandwidthGbps: (number | null)[];
  utilPctPerGbps: (number | null)[];
}

export interface PaperMark {
  series: string;
  category: string;
  bandwidthGbps?: number;
  utilPctPerGbps?: number;
  label: string;
}

export interface FigureSpec {
  id: string;
  title: string;
  xLabel: string;
  categories: string[];
  series: FigureSeries[];
  paperMarks?: PaperMark[];
  note?: string;
  /** What the figure shows, for a reader who has not read the paper (index.html prints it under the figure). */
  about?: string;
}

const W = 720;
const H = 420;
const M = { left: 64, right: 70, top: 48, bottom: 86 };
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948'];
const LINE_COLORS = ['#1f3d5c', '#9a5210', '#2c5a28', '#8c2224', '#2f6b67', '#8a7418'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A "nice" axis maximum and step for values up to `max`. */
export function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString());

export function renderFigureSvg(fig: FigureSpec): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const bwVals = fig.series.flatMap((s) => s.bandwidthGbps).filter((v): v is number => v !== null);
  const markBw = (fig.paperMarks ?? []).map((m) => m.bandwidthGbps ?? 0);
  const bw = niceScale(Math.max(0, ...bwVals, ...markBw) * 1.05);
  const uVals = fig.series.flatMap((s) => s.utilPctPerGbps).filter((v): v is number => v !== null && Number.isFinite(v));
  const u = niceScale(Math.max(0, ...uVals) * 1.05);
  const nCat = fig.categories.length;
  const groupW = pw / Math.max(1, nCat);
  // Only series with bars take a bar slot; a lines-only series (Fig 4's per-domain CPU) gets no slot and no bar swatch.
  const hasBars = fig.series.map((s) => s.bandwidthGbps.some((v) => v !== null && Number.isFinite(v)));
  const hasLine = fig.series.map((s) => s.utilPctPerGbps.some((v) => v !== null && Number.isFinite(v)));
  const slot = fig.series.map((_, si) => hasBars.slice(0, si).filter(Boolean).length);
  const nSer = Math.max(1, hasBars.filter(Boolean).length);
  const barW = (groupW * 0.7) / nSer;
  const x0 = (c: number) => M.left + c * groupW + groupW * 0.15;
  const barX = (c: number, s: number) => x0(c) + slot[s]! * barW;
  const yBw = (v: number) => M.top + ph - (v / bw.top) * ph;
  const yU = (v: number) => M.top + ph - (v / u.top) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${fig.id}-title" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title id="${fig.id}-title">${escapeXml(fig.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(fig.title)}</text>`);
  // Grid and axes.
  for (let v = 0; v <= bw.top + 1e-9; v += bw.step) {
    const y = yBw(v).toFixed(1);
    out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + pw}" y2="${y}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(v)}</text>`);
  }
  for (let v = 0; v <= u.top + 1e-9; v += u.step) {
    out.push(`<text x="${M.left + pw + 6}" y="${yU(v).toFixed(1)}" dominant-baseline="middle" fill="#555">${fmt(v)}</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left + pw}" y1="${M.top}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">Bandwidth (Gbps)</text>`);
  out.push(`<text transform="translate(${W - 14} ${M.top + ph / 2}) rotate(90)" text-anchor="middle">Core utilization per Gbps (%)</text>`);
  fig.categories.forEach((c, i) => {
    out.push(`<text x="${(M.left + i * groupW + groupW / 2).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${escapeXml(c)}</text>`);
  });
  out.push(`<text x="${M.left + pw / 2}" y="${M.top + ph + 38}" text-anchor="middle">${escapeXml(fig.xLabel)}</text>`);
  // Bars.
  fig.series.forEach((s, si) => {
    s.bandwidthGbps.forEach((v, c) => {
      if (v === null || !Number.isFinite(v)) return;
      const y = yBw(v);
      out.push(`<rect class="bar" x="${barX(c, si).toFixed(1)}" y="${y.toFixed(1)}" width="${(barW * 0.92).toFixed(1)}" height="${(M.top + ph - y).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${escapeXml(`${s.name} ${fig.categories[c]}: ${v.toFixed(2)} Gbps`)}</title></rect>`);
    });
  });
  // Lines.
  fig.series.forEach((s, si) => {
    const pts = s.utilPctPerGbps.map((v, c) => (v === null || !Number.isFinite(v) ? null : [x0(c) + (nSer * barW) / 2, yU(v)] as const)).filter((p): p is readonly [number, number] => p !== null);
    if (pts.length === 0) return;
    const color = LINE_COLORS[si % LINE_COLORS.length];
    out.push(`<polyline class="util" fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${color}"/>`);
  });
  // Paper marks.
  for (const m of fig.paperMarks ?? []) {
    const c = fig.categories.indexOf(m.category);
    const si = fig.series.findIndex((s) => s.name === m.series);
    // A mark that names no bar is a figure definition out of step with its categories: say so, don't drop it.
    if (c < 0 || si < 0) throw new Error(`${fig.id}: paper mark "${m.label}" names ${c < 0 ? `category "${m.category}"` : `series "${m.series}"`}, which the figure does not have`);
    if (m.bandwidthGbps !== undefined) {
      const y = yBw(m.bandwidthGbps).toFixed(1);
      const x = barX(c, si);
      out.push(`<line class="paper" x1="${(x - 4).toFixed(1)}" y1="${y}" x2="${(x + barW + 4).toFixed(1)}" y2="${y}" stroke="#000" stroke-width="2" stroke-dasharray="4 3"/>`);
      out.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(Number(y) - 5).toFixed(1)}" text-anchor="middle" font-size="11">${escapeXml(m.label)}</text>`);
    }
  }
  // Legend.
  const ly = H - 26;
  let lx = M.left;
  fig.series.forEach((s, si) => {
    if (hasBars[si]) out.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`);
    if (hasLine[si]) out.push(`<line x1="${lx + 16}" y1="${ly - 3}" x2="${lx + 30}" y2="${ly - 3}" stroke="${LINE_COLORS[si % LINE_COLORS.length]}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 34}" y="${ly}">${escapeXml(s.name)}</text>`);
    lx += 56 + s.name.length * 8;
  });
  if (fig.paperMarks?.length) {
    out.push(`<line x1="${lx}" y1="${ly - 3}" x2="${lx + 18}" y2="${ly - 3}" stroke="#000" stroke-width="2" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${lx + 22}" y="${ly}">paper</text>`);
  }
  if (fig.note) out.push(`<text x="${W - 8}" y="${H - 8}" text-anchor="end" font-size="10" fill="#666">${escapeXml(fig.note)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
