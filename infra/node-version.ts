/** The Node.js major Lambda runs (`nodejs22.x`) and the AWS SDK requires from January 2027. */
export const REQUIRED_NODE_MAJOR = 22;

/**
 * On an older Node, one clear line instead of the AWS SDK's multi-line warning block: Perch still
 * runs (the lockfile pins an SDK that supports it), but what is deployed runs on Node 22.
 */
export function warnIfOldNode(version = process.versions.node, log: (line: string) => void = console.warn): void {
  const major = Number(version.split('.')[0]);
  if (major >= REQUIRED_NODE_MAJOR) return;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const need = REQUIRED_NODE_MAJOR;
  log(
    `perch: Node.js ${version} is older than ${need}, which Perch needs (Lambda runs nodejs22.x); ` +
      `install Node ${need}.`,
  );
}
