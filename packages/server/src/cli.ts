#!/usr/bin/env node
import { main } from './cli/main.js';

// The `chorus` command (cli/main.ts). Long-running commands (serve, agent-host, mcp) keep the process alive.
process.exitCode = await main(process.argv.slice(2));
