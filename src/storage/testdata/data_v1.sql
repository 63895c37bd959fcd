-- Rows as a version-1 savoir wrote them: one source, two documents (one tombstoned), two
-- passages with embeddings, and the change log.
INSERT INTO schema_migrations VALUES (1, 'knowledge base: sources, documents, readers, passages, embeddings, changes', 1690000000000);
INSERT INTO sources (id, name, kind, config_json, schedule, created_ms, updated_ms, sync_state, sync_started_ms, sync_finished_ms, sync_message)
  VALUES (1, 'handbook', 'folder', '{"path": "/srv/handbook"}', 'every 1h', 1690000000000, 1690000001000, 'succeeded', 1690000000500, 1690000001000, '2 documents');
INSERT INTO source_readers VALUES (1, 'group:staff');
INSERT INTO documents (id, source_id, external_key, title, url, mime_type, language, content_hash, size_bytes, modified_ms, etag, status, failure_reason, metadata_json, created_ms, updated_ms)
  VALUES (1, 1, 'leave.md', 'Leave policy', 'file:///srv/handbook/leave.md', 'text/markdown', 'en', 'sha256:abc', 2048, 1680000000000, '', 'indexed', '', '{"author": "hr"}', 1690000000600, 1690000000600);
INSERT INTO documents (id, source_id, external_key, title, url, mime_type, language, content_hash, size_bytes, modified_ms, etag, status, failure_reason, metadata_json, created_ms, updated_ms)
  VALUES (2, 1, 'old.md', 'Old page', '', 'text/markdown', 'en', 'sha256:def', 10, 0, '', 'deleted', '', '{}', 1690000000600, 1690000000900);
INSERT INTO document_readers VALUES (1, 'group:hr'), (1, 'user:alice');
INSERT INTO passages (id, document_id, ordinal, text, title, heading_path, page, char_start, char_end, token_count)
  VALUES (10, 1, 0, 'Employees get 25 days of paid leave.', 'Leave policy', '6:Policy5:Leave', 0, 0, 37, 9),
         (11, 1, 1, 'Unused days carry over until March.', 'Leave policy', '6:Policy', 0, 38, 74, 8);
INSERT INTO embeddings (passage_id, model_id, dim, encoding, scale, vector)
  VALUES (10, 'bge-small', 2, 'f16', 1.0, X'003C00C0'),
         (11, 'bge-small', 2, 'f16', 1.0, X'0038003A');
INSERT INTO changes (seq, kind, document_id, source_id, time_ms) VALUES
  (1, 'document_upserted', 1, 1, 1690000000600),
  (2, 'document_upserted', 2, 1, 1690000000600),
  (3, 'document_deleted', 2, 1, 1690000000900);
