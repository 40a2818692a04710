/** DOM builders. Text always goes through `textContent`: nothing here parses HTML. */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function attrs<T extends Element>(node: T, values: Record<string, string>): T {
  for (const name in values) node.setAttribute(name, values[name]!);
  return node;
}

/** A decorative 24×24 icon (screen readers get the button's label instead). */
export function icon(path: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = attrs(document.createElementNS(ns, 'svg'), { viewBox: '0 0 24 24', 'aria-hidden': 'true' });
  svg.append(attrs(document.createElementNS(ns, 'path'), { d: path }));
  return svg;
}

export const CLOSE_ICON = 'M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z';

/** One constructed stylesheet: CSP's `style-src` does not apply to it, unlike `<style>` or `style=""`. */
export function sheet(css: string): CSSStyleSheet {
  const result = new CSSStyleSheet();
  result.replaceSync(css);
  return result;
}
