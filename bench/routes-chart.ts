// The chart of bench/routes.ts: one horizontal bar per protected route, its req/s as a share of
// its own server's no-auth route, drawn as SVG text (no chart dependency), as
// src/cli/bench/report.ts checksChart does.

export interface ChartBar {
  stack: string;
  mode: string;
  /** req/s of the route over req/s of its stack's no-auth route. */
  ratio: number;
}

const palette = ['#4a78c2', '#d08a2c', '#5a9e5a', '#a05aa0', '#b04a4a', '#4aa0a0'];

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The SVG: the bars grouped under their stack's name, one colour per stack. */
export function routesChart(bars: readonly ChartBar[], subtitle: string): string {
  const stacks = [...new Set(bars.map((b) => b.stack))];
  const labelWidth = 330;
  const plotWidth = 360;
  const row = 18;
  const top = 58;
  // At least 0–100 %; further if a route beats its baseline (noise).
  const max = Math.max(1, ...bars.map((b) => b.ratio));
  const x = (ratio: number) => (Math.max(0, ratio) / max) * plotWidth;
  const ticks = [0, 0.25, 0.5, 0.75, 1].filter((t) => t <= max);
  const body: string[] = [];
  let y = top;
  stacks.forEach((stack, s) => {
    body.push(`<text x="10" y="${y + 12}" font-weight="bold">${escapeXml(stack)}</text>`);
    y += row;
    const fill = palette[s % palette.length]!;
    for (const b of bars.filter((bar) => bar.stack === stack)) {
      body.push(
        [
          `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeXml(b.mode)}</text>`,
          `<rect x="${labelWidth}" y="${y + 2}" width="${x(b.ratio).toFixed(1)}" height="${row - 5}" fill="${fill}"/>`,
          `<text x="${(labelWidth + x(b.ratio) + 4).toFixed(1)}" y="${y + 12}" fill="#333">${(b.ratio * 100).toFixed(0)} %</text>`,
        ].join(''),
      );
      y += row;
    }
  });
  const height = y + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 70}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Protected route: req/s as a share of its own no-auth route (higher: auth costs less)</text>`,
    `<text x="10" y="38" fill="#555">${escapeXml(subtitle)}</text>`,
    ...ticks.map((t) => {
      const tx = (labelWidth + x(t)).toFixed(1);
      return `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 24}" stroke="#ddd"/><text x="${tx}" y="${height - 10}" text-anchor="middle" fill="#555">${Math.round(t * 100)} %</text>`;
    }),
    ...body,
    '</svg>',
    '',
  ];
  return parts.join('\n');
}
