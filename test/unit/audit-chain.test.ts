import { auditRowHash, canonicalAuditContent, GENESIS_HASH } from '../../src/kernel/audit-chain';

describe('audit chain canonical content', () => {
  const row = {
    seq: '1',
    id: '1',
    actor_type: 'SYSTEM',
    actor_id: 'test',
    action: 'a.b',
    target_type: 't',
    target_id: 'x',
    before: null,
    after: '{"a": 1}',
    reason: 'Zoë',
    created_at: '2026-12-01T10:00:00.000000Z',
  };

  it('is self-delimiting: octet length prefixes, ~ for NULL', () => {
    expect(canonicalAuditContent(row)).toBe(
      'audit-v11:11:16:SYSTEM4:test3:a.b1:t1:x~8:{"a": 1}4:Zoë27:2026-12-01T10:00:00.000000Z',
    );
    // NULL and the empty string differ; moving text between fields changes the content.
    expect(canonicalAuditContent({ ...row, reason: '' })).not.toBe(canonicalAuditContent({ ...row, reason: null }));
    expect(canonicalAuditContent({ ...row, target_type: 'tx', target_id: '' })).not.toBe(
      canonicalAuditContent({ ...row, target_type: 't', target_id: 'x' }),
    );
  });

  it('hashes prev_hash || content with SHA-256 (hand-computed with sha256sum)', () => {
    // printf '%s' "$(printf '0%.0s' {1..64})audit-v11:11:16:SYSTEM4:test3:a.b1:t1:x~8:{\"a\": 1}4:Zoë27:2026-12-01T10:00:00.000000Z" | sha256sum
    expect(auditRowHash(GENESIS_HASH, row)).toBe('e1e44aa8b04eec1826894c90dfe0f4971deebe4d161b874689bb61e64e74b015');
  });
});
