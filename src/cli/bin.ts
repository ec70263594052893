#!/usr/bin/env node
import { main } from './main.js';
import { installInterruptHandlers } from './signals.js';

installInterruptHandlers();
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A finished command exits once its output is flushed: a handle some library left referenced (a
// timer, a pipe) must never keep a command that has printed its answer alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
