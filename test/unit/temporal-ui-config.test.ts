/**
 * Issue 17: the Temporal UI is not a back door. Wherever the project starts a UI it listens on
 * 127.0.0.1 and refuses writes (docker-compose.yml's is checked by docker-compose.test.ts).
 */
import { parse } from 'yaml';
import { devServerArgs, uiServerConfig } from '../../scripts/stack/temporal';

describe('the UI `npm start` runs', () => {
  const config = parse(uiServerConfig({ port: 8233, temporalAddress: '127.0.0.1:7233', namespace: 'default' }));

  it('listens on 127.0.0.1 only', () => {
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8233);
  });

  it('has every write action off: the UI server answers 405 to terminate, signal, update, reset, start, batch', () => {
    expect(config.disableWriteActions).toBe(true);
    for (const key of [
      'workflowTerminateDisabled',
      'workflowCancelDisabled',
      'workflowSignalDisabled',
      'workflowUpdateDisabled',
      'workflowResetDisabled',
      'batchActionsDisabled',
      'startWorkflowDisabled',
      'activityCommandsDisabled',
    ]) {
      expect([key, config[key]]).toEqual([key, true]);
    }
    expect(config.cors.allowOrigins).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
  });

  it('the dev server itself is headless unless asked, and its UI then binds 127.0.0.1 too', () => {
    const headless = devServerArgs({ port: 7233 });
    expect(headless).toContain('--headless');
    expect(headless.slice(headless.indexOf('--ip'), headless.indexOf('--ip') + 2)).toEqual(['--ip', '127.0.0.1']);
    const withUi = devServerArgs({ port: 7233, uiPort: 8233 });
    expect(withUi).not.toContain('--headless');
    expect(withUi.slice(withUi.indexOf('--ui-ip'), withUi.indexOf('--ui-ip') + 2)).toEqual(['--ui-ip', '127.0.0.1']);
  });
});
