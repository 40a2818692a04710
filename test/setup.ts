// Handlers log one JSON line per request (CloudWatch-style); keep test output readable.
if (!process.env.PERCH_TEST_LOGS) console.info = () => undefined;
// The SDK warns once per process that Node 20 support ends in 2027 (known: see DESIGN.md; the
// lockfile pins the SDK). In tests that warning is noise from every worker and child process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The functions log through Powertools' Logger; tests spy on it instead of reading the output.
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.PERCH_TEST_LOGS ? 'INFO' : 'SILENT';
