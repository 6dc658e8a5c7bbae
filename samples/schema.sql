-- GrantPress sample schema: grants awarded to non-profit organizations (НКО).
--
-- Plain SQL that SQLite and PostgreSQL (15) both take as it is: scripts/make-sample-db.sh
-- builds the SQLite database from it, scripts/pg-run.sh loads it into PostgreSQL, where the
-- types are real (NUMERIC exact, DATE, BOOLEAN); ids are always given explicitly.
--   psql -v ON_ERROR_STOP=1 -d grants -f samples/schema.sql -f samples/seed.sql
-- Conventions:
--   * dates are 'YYYY-MM-DD' text (DATE columns);
--   * money and measured quantities are exact decimals with two places
--     (NUMERIC(15,2) / NUMERIC(12,2)); insert them as decimal literals such as 2691000.00;
--     note that SQLite's NUMERIC affinity stores 1234.56 as REAL and 2691000.00 as INTEGER,
--     so readers must round to two places (or use decimal types) when they read them back;
--   * booleans are 0/1 (TRUE/FALSE literals store 1/0); NULL means "unknown".
-- The table and column names are used by the report templates: do not rename them.

CREATE TABLE grantors (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  short_name TEXT NOT NULL
);

CREATE TABLE contests (
  id         INTEGER PRIMARY KEY,
  grantor_id INTEGER NOT NULL REFERENCES grantors(id),
  name       TEXT NOT NULL,
  year       INTEGER NOT NULL
);

CREATE TABLE organizations (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  short_name    TEXT,
  inn           TEXT NOT NULL,
  ogrn          TEXT NOT NULL,
  region        TEXT NOT NULL,
  address       TEXT NOT NULL,
  head_name     TEXT NOT NULL,
  head_position TEXT NOT NULL
);

CREATE TABLE projects (
  id                  INTEGER PRIMARY KEY,
  title               TEXT NOT NULL,
  organization_id     INTEGER NOT NULL REFERENCES organizations(id),
  contest_id          INTEGER NOT NULL REFERENCES contests(id),
  start_date          DATE NOT NULL,
  end_date            DATE NOT NULL,
  goals               TEXT NOT NULL,
  target_audience     TEXT NOT NULL,
  description         TEXT NOT NULL,
  amount              NUMERIC(15,2) NOT NULL,
  participants        INTEGER NOT NULL,
  qualitative_results TEXT NOT NULL,
  confirmed_by_region BOOLEAN,
  CHECK (end_date >= start_date)
);

-- One line of the project budget; requested = quantity * unit_price exactly,
-- and the lines of a project sum exactly to projects.amount.
CREATE TABLE budget_lines (
  id          INTEGER PRIMARY KEY,
  project_id  INTEGER NOT NULL REFERENCES projects(id),
  line_no     INTEGER NOT NULL,
  category    TEXT NOT NULL,
  item        TEXT NOT NULL,
  unit        TEXT NOT NULL,
  quantity    NUMERIC(12,2) NOT NULL,
  unit_price  NUMERIC(15,2) NOT NULL,
  requested   NUMERIC(15,2) NOT NULL,
  cofinancing NUMERIC(15,2) NOT NULL,
  spent       NUMERIC(15,2) NOT NULL,
  UNIQUE (project_id, line_no)
);

CREATE TABLE calendar_plan (
  id              INTEGER PRIMARY KEY,
  project_id      INTEGER NOT NULL REFERENCES projects(id),
  line_no         INTEGER NOT NULL,
  task            TEXT NOT NULL,
  activity        TEXT NOT NULL,
  planned_start   DATE NOT NULL,
  planned_end     DATE NOT NULL,
  actual_start    DATE,
  actual_end      DATE,
  expected_result TEXT NOT NULL,
  achieved_result TEXT,
  status          TEXT NOT NULL
    CHECK (status IN ('запланировано', 'в работе', 'выполнено', 'перенесено', 'отменено')),
  UNIQUE (project_id, line_no)
);

CREATE TABLE indicators (
  id         INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  line_no    INTEGER NOT NULL,
  name       TEXT NOT NULL,
  unit       TEXT NOT NULL,
  planned    NUMERIC(12,2) NOT NULL,
  achieved   NUMERIC(12,2),
  UNIQUE (project_id, line_no)
);

CREATE TABLE publications (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL REFERENCES projects(id),
  title        TEXT NOT NULL,
  url          TEXT NOT NULL,
  published_on DATE NOT NULL
);

CREATE INDEX contests_grantor_id ON contests (grantor_id);
CREATE INDEX projects_contest_id ON projects (contest_id);
CREATE INDEX projects_organization_id ON projects (organization_id);
CREATE INDEX budget_lines_project_id ON budget_lines (project_id);
CREATE INDEX calendar_plan_project_id ON calendar_plan (project_id);
CREATE INDEX indicators_project_id ON indicators (project_id);
CREATE INDEX publications_project_id ON publications (project_id);
