import { ConfigError, DEFAULT_CONFIG_FILE, loadConfigWithKnowledge } from './load';
import { resolveConfig } from './resolve';

/** `npm run check [file]`: validates the config for every stack; warnings do not fail it. */
async function main(): Promise<number> {
  const file = process.argv[2] ?? process.env.PERCH_CONFIG ?? DEFAULT_CONFIG_FILE;
  try {
    const { config, knowledge, warnings: skipped } = await loadConfigWithKnowledge(file);
    const stacks = ['local', ...Object.keys(config.stacks ?? {}).filter((s) => s !== 'local')];
    for (const warning of skipped) console.warn(`warning: ${warning}`);
    const warnings = new Map<string, string[]>();
    for (const stack of stacks) {
      for (const warning of resolveConfig(config, stack, knowledge).warnings)
        warnings.set(warning, [...(warnings.get(warning) ?? []), stack]);
    }
    for (const [warning, where] of warnings) console.warn(`warning: ${warning} (stacks: ${where.join(', ')})`);
    for (const base of knowledge) {
      console.log(`knowledge ${base.name}: ${base.files.length} files, ${(base.bytes / 1024).toFixed(0)} KB`);
    }
    const counts = `${Object.keys(config.widgets).length} widgets, ${Object.keys(config.models).length} models`;
    console.log(`${file}: ${counts}, ${knowledge.length} knowledge bases — OK`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${file}: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}`);
    for (const problem of error.problems) console.error(`  ✗ ${problem}`);
    return 1;
  }
}

main().then((code) => process.exit(code));
