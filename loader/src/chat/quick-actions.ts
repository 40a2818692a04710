import { attrs, el } from '../dom';

/** The config's quick actions: each button sends its question as the visitor's text. */
export function quickActions(questions: string[], send: (text: string) => void): HTMLElement {
  const chips = el('div', 'c');
  for (const question of questions) {
    const chip = attrs(el('button', '', question), { type: 'button' });
    chip.onclick = () => send(question);
    chips.append(chip);
  }
  return chips;
}
