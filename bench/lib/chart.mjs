// A horizontal bar chart as SVG text: no chart library, no browser needed.

function escapeXml(text) {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
}

/**
 * Bars for `rows` of `{ label, value, highlight? }`, scaled to the largest value; `unit` follows each number.
 */
export function barChartSvg({ title, subtitle, rows, unit }) {
  const labelWidth = 250;
  const barWidth = 420;
  const rowHeight = 28;
  const top = 58;
  const width = labelWidth + barWidth + 90;
  const height = top + rows.length * rowHeight + 16;
  const max = Math.max(...rows.map((r) => r.value), 1e-9);
  const bars = rows.map((r, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (Math.max(0, r.value) / max) * barWidth);
    const fill = r.highlight ? '#c2410c' : '#64748b';
    return [
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeXml(r.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${fill}"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 17}">${r.value.toFixed(1)} ${escapeXml(unit)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="12" y="42" fill="#475569">${escapeXml(subtitle)}</text>`,
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}
