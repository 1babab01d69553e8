#!/usr/bin/env node
// Launcher: registers tsx (TypeScript without a build step) and runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
