import { runPerchProgram } from './aws/program';

// The Pulumi entry point (Pulumi.yaml `main`): Pulumi calls the exported function and
// publishes what it returns as the stack outputs.
export = () => runPerchProgram();
