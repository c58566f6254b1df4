import { requireNodeMajor } from './node-runtime';

// Imported first by every entry point (the CLI, the benchmarks, jest's configuration): a process on
// another Node.js major prints one line and stops before anything else loads.
requireNodeMajor();
