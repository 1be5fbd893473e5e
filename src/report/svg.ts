/** Vega-Lite spec -> inline SVG, in Node, with no canvas and no browser. */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Small, quiet charts that read well inline beside tables. */
const CONFIG = {
  font: 'system-ui, sans-serif',
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal' },
  header: { labelFontSize: 11 },
  view: { stroke: '#ccc' },
} as const;

/**
 * The chart as an SVG element for inlining in HTML. The namespace declarations go: the HTML parser
 * puts <svg> in its namespace anyway, and the page must not carry any http(s) address.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: runtimeSpec } = compile({ ...spec, config: CONFIG } as TopLevelSpec);
  const view = new vega.View(vega.parse(runtimeSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return svg.replace(/^<svg([^>]*)>/, (_, attributes: string) => `<svg${attributes.replace(/ xmlns(:xlink)?="[^"]*"/g, '')} role="img">`);
  } finally {
    view.finalize();
  }
}
