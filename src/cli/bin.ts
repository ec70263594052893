#!/usr/bin/env node
import { main } from './main.js';
import { installInterruptHandlers } from './signals.js';

installInterruptHandlers();
process.exitCode = await main(process.argv.slice(2));
