/**
 * Prints the paths of the Temporal CLI and of the read-only UI server `npm start` runs,
 * installing the pinned versions with `go install` when missing.
 */
import { resolve } from 'node:path';
import { findTemporalBinary, findUiServerBinary, installTemporal, installUiServer } from './stack/temporal';

const projectDir = resolve(__dirname, '..');
process.stdout.write(`${findTemporalBinary(projectDir) ?? installTemporal(projectDir)}\n`);
process.stdout.write(`${findUiServerBinary(projectDir) ?? installUiServer(projectDir)}\n`);
