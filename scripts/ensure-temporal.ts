/** Prints the Temporal CLI's path, installing the pinned version with `go install` when missing. */
import { resolve } from 'node:path';
import { findTemporalBinary, installTemporal } from './stack/temporal';

const projectDir = resolve(__dirname, '..');
process.stdout.write(`${findTemporalBinary(projectDir) ?? installTemporal(projectDir)}\n`);
