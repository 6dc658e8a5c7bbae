-- GrantPress sample schema, PostgreSQL flavour (PostgreSQL 15): the same tables, columns,
-- constraints and indexes as samples/schema.sql, with real types: NUMERIC(p,2) for money and
-- measured quantities (exact), DATE, BOOLEAN, TEXT. samples/seed.sql and the output of
-- gp-samplegen load into it unchanged (dates are 'YYYY-MM-DD' literals, booleans TRUE/FALSE,
-- money exact decimal literals). Ids are always given explicitly, so no identity columns.
--   psql -v ON_ERROR_STOP=1 -d grants -f samples/schema.pg.sql -f samples/seed.sql
--   build/gp-samplegen --projects 300 | psql -v ON_ERROR_STOP=1 -d grants
-- scripts/pg-run.sh starts a throwaway server loaded this way.
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
