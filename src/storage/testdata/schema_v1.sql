-- Frozen copy of schema version 1 as savoir shipped it: what a database written by that
-- version contains. sqlite_store_test.cc builds "old" database files from it and checks that
-- migration 1 still produces exactly this schema. Never edit; add a new file for a new version.
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL);
CREATE TABLE sources (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL
    CHECK (kind IN ('folder', 'upload', 'push', 'web', 'slack', 'confluence')),
  config_json TEXT NOT NULL DEFAULT '{}',
  schedule TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  sync_state TEXT NOT NULL DEFAULT 'never'
    CHECK (sync_state IN ('never', 'running', 'succeeded', 'failed')),
  sync_started_ms INTEGER NOT NULL DEFAULT 0,
  sync_finished_ms INTEGER NOT NULL DEFAULT 0,
  sync_message TEXT NOT NULL DEFAULT ''
);

CREATE TABLE source_readers (
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  principal TEXT NOT NULL,
  PRIMARY KEY (source_id, principal)
) WITHOUT ROWID;

CREATE TABLE documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  external_key TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL DEFAULT '',
  mime_type TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  content_hash TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL DEFAULT 0,
  modified_ms INTEGER NOT NULL DEFAULT 0,
  etag TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('pending', 'indexed', 'failed', 'deleted')),
  failure_reason TEXT NOT NULL DEFAULT '',
  metadata_json TEXT NOT NULL DEFAULT '{}',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (source_id, external_key)
);
CREATE INDEX documents_by_source_status ON documents (source_id, status, id);
CREATE INDEX documents_by_status ON documents (status, id);

CREATE TABLE document_readers (
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  principal TEXT NOT NULL,
  PRIMARY KEY (document_id, principal)
) WITHOUT ROWID;
CREATE INDEX document_readers_by_principal ON document_readers (principal, document_id);

CREATE TABLE passages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  text TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  heading_path TEXT NOT NULL DEFAULT '',
  page INTEGER NOT NULL DEFAULT 0,
  char_start INTEGER NOT NULL DEFAULT 0,
  char_end INTEGER NOT NULL DEFAULT 0,
  token_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (document_id, ordinal)
);

CREATE TABLE embeddings (
  id INTEGER PRIMARY KEY,
  passage_id INTEGER NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
  model_id TEXT NOT NULL,
  dim INTEGER NOT NULL CHECK (dim > 0),
  encoding TEXT NOT NULL CHECK (encoding IN ('f32', 'f16', 'int8')),
  scale REAL NOT NULL DEFAULT 1.0,
  vector BLOB NOT NULL,
  UNIQUE (passage_id, model_id)
);

CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  document_id INTEGER NOT NULL,
  source_id INTEGER NOT NULL,
  time_ms INTEGER NOT NULL
);
