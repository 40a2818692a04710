import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeConfigFile } from '../fixtures/config-file';

export const DOCS_ORIGIN = 'https://docs.example.com';

/** A small documentation set: two Markdown files and an HTML page, each with distinct sections. */
export const DOCUMENTS: Record<string, string> = {
  'docs/install.md': [
    '---',
    'title: Installing Acme',
    '---',
    'Acme installs on Linux and macOS.',
    '',
    '## Linux',
    '',
    'Run the installer script with `curl -fsSL https://acme.example/install.sh | sh`, then restart the shell.',
    '',
    '## Uninstall',
    '',
    'Delete the `~/.acme` folder to remove Acme and its caches completely.',
  ].join('\n'),
  'docs/billing.md': [
    '# Billing',
    '',
    '## Invoices',
    '',
    'Invoices are emailed on the first working day of each month as PDF attachments.',
    '',
    '## Refunds',
    '',
    'Refunds are granted within 14 days of purchase; write to the billing team with your order number.',
  ].join('\n'),
  'docs/team.html':
    '<html><head><title>Support hours</title><script>alert(1)</script></head><body>' +
    '<h2>Opening times</h2><p>The support desk answers tickets weekdays from 9:00 to 17:00 CET.</p></body></html>',
};

export function writeDocuments(dir: string, documents: Record<string, string> = DOCUMENTS): void {
  for (const [path, text] of Object.entries(documents)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A temp folder (a repository of its own) holding docs and a config with the given widgets. */
export function knowledgeConfigDir(
  widgets: Record<string, unknown>,
  {
    models = { local: { provider: 'faq' } } as Record<string, unknown>,
    knowledge = defaultKnowledge() as Record<string, unknown>,
  } = {},
): { dir: string; configFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'perch-knowledge-'));
  mkdirSync(join(dir, '.git'));
  writeDocuments(dir);
  const configFile = writeConfigFile(join(dir, 'widgets.config.ts'), { models, knowledge, widgets });
  return { dir, configFile };
}

export const defaultKnowledge = () => ({
  docs: { include: ['docs/**/*.md', 'docs/*.html'], url: 'https://acme.example/{slug}#{anchor}' },
});
