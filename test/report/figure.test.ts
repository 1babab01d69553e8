import { describe, expect, it } from 'vitest';
import { niceScale, renderFigureSvg, type FigureSpec } from '../../src/report/figure.ts';
import { renderIndexHtml } from '../../src/report/html.ts';

const fig: FigureSpec = {
  id: 'figX',
  title: 'Bandwidth <&> utilization',
  xLabel: 'message size',
  categories: ['64B', '1KB', '64KB'],
  series: [
    { name: 'Default', bandwidthGbps: [0.5, 2.3, null], utilPctPerGbps: [200, 70, 65] },
    { name: 'Opt A', bandwidthGbps: [0.6, 2.6, 2.7], utilPctPerGbps: [180, null, 55] },
  ],
  paperMarks: [{ series: 'Default', category: '1KB', bandwidthGbps: 2.3, label: 'paper 2.3' }],
};

function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]!);
  }
  return stack.length === 0;
}

describe('renderFigureSvg', () => {
  const svg = renderFigureSvg(fig);
  it('refuses a paper mark on a category or series the figure does not have', () => {
    expect(() => renderFigureSvg({ ...fig, paperMarks: [{ series: 'Default', category: '2KB', bandwidthGbps: 1, label: 'x' }] })).toThrow(/category "2KB"/);
    expect(() => renderFigureSvg({ ...fig, paperMarks: [{ series: 'Opt Z', category: '1KB', bandwidthGbps: 1, label: 'x' }] })).toThrow(/series "Opt Z"/);
  });
  it('is balanced, deterministic, accessible SVG', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    expect(balanced(svg)).toBe(true);
    expect(renderFigureSvg(fig)).toBe(svg);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="figX-title">Bandwidth &lt;&amp;&gt; utilization</title>');
    expect(balanced('<svg><g></svg>')).toBe(false); // the checker can fail
  });
  it('draws a bar per value, a line per series, the legend and the paper marks', () => {
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(5);
    expect(svg.match(/<polyline class="util"/g)).toHaveLength(2);
    expect(svg).toContain('>Default<');
    expect(svg).toContain('>Opt A<');
    expect(svg).toContain('paper 2.3');
    expect(svg.match(/class="paper"/g)).toHaveLength(1);
  });
  it('a lines-only series gets no bar swatch in the legend and no bar slot (Fig 4)', () => {
    const f4 = renderFigureSvg({
      id: 'fig4', title: 't', xLabel: 'x', categories: ['64B', '64KB'],
      series: [
        { name: 'bandwidth', bandwidthGbps: [1.6, 2.3], utilPctPerGbps: [null, null] },
        { name: 'Dom0 CPU', bandwidthGbps: [null, null], utilPctPerGbps: [35, 34] },
        { name: 'DomU CPU', bandwidthGbps: [null, null], utilPctPerGbps: [26, 25] },
      ],
    });
    expect(f4.match(/<rect x="[\d.]+" y="[\d.]+" width="12" height="12"/g)).toHaveLength(1); // legend bar swatches
    expect(f4.match(/<polyline class="util"/g)).toHaveLength(2);
    const widths = [...f4.matchAll(/class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths.every((w) => w > 80)).toBe(true); // one bar per group takes the group's bar width, not a third of it
  });
  it('picks nice axis scales', () => {
    expect(niceScale(4.6)).toEqual({ top: 5, step: 1 });
    expect(niceScale(230)).toEqual({ top: 250, step: 50 });
  });
});

describe('renderIndexHtml', () => {
  it('shows every row with its verdict, the summary and each figure', () => {
    const html = renderIndexHtml({
      title: 'T <1>',
      rows: [
        { id: 'T1', figure: 'Fig 3', condition: 'Linux', paper: '5.5', emulated: '5.54', tolerance: '±15%', pass: true, source: 'runs/a.json' },
        { id: 'T12', figure: 'Fig 12', condition: 'q', paper: '3.3', emulated: '2.3', tolerance: '±15%', pass: false, source: 'runs/b.json', note: 'why' },
      ],
      figures: [{ id: 'fig3', file: 'fig3.svg', caption: 'Fig 3' }],
      meta: { runs: '2' },
    });
    expect(html).toContain('<title>T &lt;1&gt;</title>');
    expect(html).toContain('<tr class="pass"><td>T1</td>');
    expect(html).toContain('<tr class="fail"><td>T12</td>');
    expect(html).toContain('1/2 rows pass');
    expect(html).toContain('<img src="fig3.svg"');
    expect(html).toContain('href="runs/b.json"');
  });

  it('names a row whose point has not run (an interrupted reproduce) instead of an empty link', () => {
    const row = { id: 'T5', figure: 'Fig 5', condition: 'SEDF', paper: '1.1', emulated: 'no data', tolerance: '±15%', pass: false, source: '' };
    const html = renderIndexHtml({ title: 't', rows: [row], figures: [], meta: {} });
    expect(html).not.toContain('<a href=""');
    expect(html).toContain('<small>no run yet</small>');
  });
});

describe('index.html explains itself', () => {
  it('prints the intro and each figure’s description under its caption', () => {
    const html = renderIndexHtml({ title: 't', rows: [], meta: {}, intro: 'What the <rows> are', figures: [{ id: 'fig4', file: 'fig4.svg', caption: 'Fig 4', about: 'Bars: bandwidth & lines: CPU' }] });
    expect(html).toContain('<p>What the &lt;rows&gt; are</p>');
    expect(html).toContain('<figcaption><b>Fig 4</b><br>Bars: bandwidth &amp; lines: CPU</figcaption>');
  });
});
