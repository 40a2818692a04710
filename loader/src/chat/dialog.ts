import { attrs, CLOSE_ICON, el, icon } from '../dom';

/** The panel: a dialog labelled by its header's title (the widget's name), hidden until opened. */
export function createDialog(title: string, closeLabel: string, requestClose: () => void): HTMLElement {
  const panel = attrs(el('div', 'p'), { role: 'dialog', 'aria-labelledby': 'perch-title' });
  panel.hidden = true;
  const closeButton = attrs(el('button', 'x'), { type: 'button', 'aria-label': closeLabel });
  closeButton.append(icon(CLOSE_ICON));
  closeButton.onclick = requestClose;
  const header = el('div', 'h');
  header.append(attrs(el('h2', '', title), { id: 'perch-title' }), closeButton);
  panel.append(header);
  return panel;
}
