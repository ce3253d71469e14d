-- Durable work: one row per job, claimed by any number of workers in any number of processes.
-- A job waits ('queued', from run_at), runs under a lease ('running' until locked_until; a
-- worker that dies lets its lease pass and the job runs again), and is deleted when it
-- succeeds. After its last attempt fails it stays as 'dead', with its error, until an admin
-- retries it.
CREATE TABLE jobs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    payload JSONB NOT NULL DEFAULT '{}',
    -- Adding a job whose key a waiting or running job holds does nothing.
    key TEXT CHECK (length(key) BETWEEN 1 AND 500),
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'dead')),
    run_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts INTEGER NOT NULL DEFAULT 10 CHECK (max_attempts >= 1),
    last_error TEXT,
    locked_by TEXT,
    locked_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((state = 'running') = (locked_until IS NOT NULL))
);
CREATE UNIQUE INDEX jobs_live_key ON jobs (key) WHERE state <> 'dead';
CREATE INDEX jobs_due ON jobs (run_at) WHERE state = 'queued';
CREATE INDEX jobs_leases ON jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_dead ON jobs (updated_at) WHERE state = 'dead';
