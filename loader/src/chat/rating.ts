import type { Texts } from '../contract';
import { attrs, el, icon } from '../dom';

const THUMB_ICON =
  'M2 10h4v11H2zm6 11h9.5a2 2 0 0 0 1.9-1.4l2.4-7.2A2 2 0 0 0 20 10h-5.5l.9-4.4a1.6 1.6 0 0 0-2.9-1.2L8 10z';

export type Rating = 'up' | 'down';

/**
 * Thumbs up/down for one answer. The pressed state shows at once; a rating the API did not
 * take puts the buttons back as they were and calls `failed`.
 */
export function ratingGroup(rate: (rating: Rating) => Promise<unknown>, failed: () => void, texts: Texts): HTMLElement {
  const group = attrs(el('div', 'r'), { role: 'group', 'aria-label': texts.rateAnswer });
  const buttons = (['up', 'down'] as const).map((rating) => {
    const label = rating === 'up' ? texts.helpful : texts.notHelpful;
    const button = attrs(el('button'), { type: 'button', 'aria-label': label, 'aria-pressed': 'false' });
    button.append(icon(THUMB_ICON));
    button.onclick = () => {
      const before = buttons.map((b) => b.getAttribute('aria-pressed')!);
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      rate(rating).catch(() => {
        buttons.forEach((b, i) => {
          b.setAttribute('aria-pressed', before[i]!);
        });
        failed();
      });
    };
    return button;
  });
  group.append(...buttons);
  return group;
}
