import { defineConfig } from './infra/config/schema';

/**
 * The widgets this deployment serves. Edit, open a PR, read the plan, merge.
 * `npm run check` validates it; `npm start` applies it locally; `pulumi up` applies it on AWS.
 */
export default defineConfig({
  models: {
    local: { provider: 'faq', streamDelayMs: 30 },
    // A Bedrock binding looks like this (IAM, no key). Claude Haiku 4.5 is served only through an inference
    // profile: `eu.` for the eu-west-1 stacks here (`us.`, `apac.`, `global.` elsewhere); prices are the eu. ones.
    // claude: { provider: 'bedrock', modelId: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
    //           pricing: { inputPerMTok: 1.1, outputPerMTok: 5.5 } },
  },
  knowledge: {
    // Perch's own docs: the demo bot answers from them and cites the section it quotes.
    'perch-docs': { include: ['README.md', 'docs/**/*.md'] },
  },
  widgets: {
    // The demo widget: only the local demo page may embed it.
    'docs-bot': {
      name: 'Docs assistant',
      model: 'local',
      knowledge: 'perch-docs',
      greeting: 'Hi! Ask me anything about Perch.',
      placeholder: 'Ask about keys, origins, limits…',
      theme: { primary: '#2563eb', position: 'bottom-right' },
      allowedOrigins: ['http://localhost:3000'],
      limits: { perMinute: 10, perDay: 200, perVisitorPerDay: 50 },
      quickActions: ['How do I rotate the key?', 'How do I deploy to AWS?', 'What are the limits?'],
      feedback: true,
      retentionDays: 30,
      faq: [
        {
          question: 'How do I rotate the key?',
          answer:
            'Raise **keyRotation** in `widgets.config.ts` and apply (`npm start` or `pulumi up`). ' +
            'The old key starts no new session; open sessions keep working for a 2-hour grace period.',
        },
        {
          question: 'Which websites can embed the widget?',
          answer:
            'Only the origins listed in **allowedOrigins**, e.g. `https://docs.example.com` ' +
            'or `https://*.example.com` for any subdomain. Any other website is refused.',
        },
        {
          question: 'What are the limits?',
          answer:
            'Each widget has **perMinute** (default 10) and **perDay** (default 200) limits, ' +
            'an optional per-visitor daily cap and an optional daily budget in USD. Daily counts reset at 00:00 UTC.',
        },
        {
          question: 'Where are conversations stored?',
          answer: 'Transcripts are kept in DynamoDB for **retentionDays** days, then they expire.',
        },
      ],
    },
    // Any origin may embed this one: handy while developing, and `npm run check` warns about it.
    playground: {
      name: 'Playground',
      model: 'local',
      greeting: 'This widget accepts every website. Try it anywhere.',
      allowedOrigins: [],
      theme: { primary: '#0f766e', position: 'bottom-left' },
      faq: [{ question: 'What is Perch?', answer: 'Perch serves AI chat widgets that DevOps teams declare in Git.' }],
      quickActions: ['What is Perch?'],
    },
    // Paused: keeps its key and history, refuses every request.
    'support-bot': {
      name: 'Support',
      model: 'local',
      status: 'paused',
      allowedOrigins: ['https://support.example.com'],
      faq: [{ question: 'How do I reset my password?', answer: 'Use the "Forgot password" link on the sign-in page.' }],
    },
  },
  // Who the AWS alarms tell (errors, 5xx, a failed quota reset, slow answers, budgets); each address confirms
  // the email SNS sends it. A stack may replace the block: `stacks: { dev: { alerts: {} } }` tells no one.
  // alerts: { email: ['ops@your-company.com'], webhook: 'https://hooks.your-company.com/perch' },
  stacks: {
    // `pulumi up` on the prod stack serves the docs site instead of the local demo page.
    prod: { widgets: { 'docs-bot': { allowedOrigins: ['https://docs.example.com', 'https://*.example.com'] } } },
    // A development deployment on AWS that a developer's local page may still embed.
    dev: { widgets: { 'docs-bot': { allowedOrigins: ['https://dev.docs.example.com', 'http://localhost:3000'] } } },
  },
});
