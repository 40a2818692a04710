import { ConfigError, DEFAULT_CONFIG_FILE, loadConfigFile } from './load';
import { resolveConfig } from './resolve';

/** `npm run check [file]`: validates the config for every stack; warnings do not fail it. */
async function main(): Promise<number> {
  const file = process.argv[2] ?? process.env.PERCH_CONFIG ?? DEFAULT_CONFIG_FILE;
  try {
    const config = await loadConfigFile(file);
    const stacks = ['local', ...Object.keys(config.stacks ?? {}).filter((s) => s !== 'local')];
    const warnings = new Map<string, string[]>();
    for (const stack of stacks) {
      for (const warning of resolveConfig(config, stack).warnings)
        warnings.set(warning, [...(warnings.get(warning) ?? []), stack]);
    }
    for (const [warning, where] of warnings) console.warn(`warning: ${warning} (stacks: ${where.join(', ')})`);
    console.log(
      `${file}: ${Object.keys(config.widgets).length} widgets, ${Object.keys(config.models).length} models — OK`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${file}: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}`);
    for (const problem of error.problems) console.error(`  ✗ ${problem}`);
    return 1;
  }
}

main().then((code) => process.exit(code));
