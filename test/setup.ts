// Handlers log one JSON line per request (CloudWatch-style); keep test output readable.
if (!process.env.PERCH_TEST_LOGS) console.info = () => undefined;
