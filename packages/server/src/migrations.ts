/**
 * Schema migrations of the service's SQLite store, versioned with `PRAGMA user_version`:
 * migration i (1-based) moves a database from version i-1 to i. Append only; never edit a
 * released step, because databases in the field have already run it.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: ratings, users, items, model registry, training jobs.
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    -- Clock value of the user's latest rating change: newer than a model's snapshot = fold in.
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE items (
    id TEXT PRIMARY KEY,
    title TEXT,
    metadata TEXT,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE ratings (
    user TEXT NOT NULL,
    item TEXT NOT NULL,
    rating REAL NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (user, item)
  ) WITHOUT ROWID;
  CREATE INDEX ratings_by_item ON ratings(item);
  CREATE TABLE models (
    version INTEGER PRIMARY KEY AUTOINCREMENT,
    algorithm TEXT NOT NULL,
    config TEXT NOT NULL,
    metrics TEXT NOT NULL,
    created_at TEXT NOT NULL,
    path TEXT NOT NULL,
    checksum TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0,
    -- Store clock when the training ratings were read (0 = unknown: every stored user is folded in).
    snapshot_at INTEGER NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX models_one_active ON models(active) WHERE active = 1;
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    progress REAL NOT NULL DEFAULT 0,
    error TEXT,
    config TEXT NOT NULL,
    model_version INTEGER,
    report TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
  );
  `,
  // 2: per-epoch reports of training jobs, written as the worker reports each epoch.
  `
  CREATE TABLE job_epochs (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    -- validate: the fit on the training slice; final: the refit on every rating.
    phase TEXT NOT NULL CHECK (phase IN ('validate', 'final')),
    epoch INTEGER NOT NULL,
    loss REAL NOT NULL,
    train_rmse REAL,
    -- JSON object of validation metrics ({"rmse": …}), when computed.
    validation TEXT,
    seconds REAL,
    PRIMARY KEY (job_id, phase, epoch)
  ) WITHOUT ROWID;
  `,
  // 3: features given through PUT /items/{item} and PUT /users/{user}/features, so that a restart (or a
  // model loaded later) scores those items and users from them again.
  `
  CREATE TABLE entity_features (
    side TEXT NOT NULL CHECK (side IN ('item', 'user')),
    id TEXT NOT NULL,
    -- JSON: a list of feature names, or an object name -> weight.
    features TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (side, id)
  ) WITHOUT ROWID;
  `,
];
