// The API's description, served at /api/openapi.json (OpenAPI 3.0). Kept beside api.cpp: a
// route added there is added here (tests/e2e/test_server.py checks that every path answers).
#include <string>

namespace gp::server {

std::string openApiJson() {
    return R"JSON({
  "openapi": "3.0.3",
  "info": {
    "title": "GrantPress",
    "version": "0.2",
    "description": "Grant documents (PDF, XLSX) from templates and a database. Errors are JSON: {\"error\": {\"kind\", \"message\", \"file\", \"line\", \"column\"}} with the kinds of the command line: usage 400, data 404/422, template 404/422, busy 409, config/output/render 500; auth 401/403/429; a full render queue 503. Sign in with POST /api/session (a cookie; state-changing requests then need the X-CSRF-Token header) or send Authorization: Bearer <token> (grantpress user token NAME)."
  },
  "components": {
    "securitySchemes": {
      "token": {"type": "http", "scheme": "bearer"},
      "session": {"type": "apiKey", "in": "cookie", "name": "gp_session"}
    },
    "schemas": {
      "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "kind": {"type": "string", "enum": ["usage", "config", "data", "template", "output", "render", "busy", "auth", "internal"]},
        "message": {"type": "string"}, "file": {"type": "string"}, "line": {"type": "integer"}, "column": {"type": "integer"}}}}},
      "Param": {"type": "object", "properties": {"name": {"type": "string"}, "type": {"type": "string", "enum": ["integer", "text", "date", "decimal", "boolean"]},
        "required": {"type": "boolean"}, "secret": {"type": "boolean"}, "default": {"type": "string"},
        "choices": {"type": "string", "description": "where its choices are listed"}}},
      "Template": {"type": "object", "properties": {"name": {"type": "string"}, "params": {"type": "array", "items": {"$ref": "#/components/schemas/Param"}},
        "broken": {"type": "object"}}},
      "Run": {"type": "object", "properties": {"id": {"type": "integer"}, "batch": {"type": "string"}, "trigger": {"type": "string"},
        "started": {"type": "string", "format": "date-time"}, "finished": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": ["complete", "failed", "stopped", "error"]}, "reason": {"type": "string"},
        "records": {"type": "object"}, "params": {"type": "object"}, "failures": {"type": "array"}, "files": {"type": "array"}}}
    }
  },
  "security": [{"token": []}, {"session": []}],
  "paths": {
    "/api/health": {"get": {"summary": "The server answers: status (ok, stopping) and renders (active, waiting, workers, queue)", "security": [], "responses": {"200": {"description": "ok"}}}},
    "/api/openapi.json": {"get": {"summary": "This description", "security": [], "responses": {"200": {"description": "OpenAPI 3"}}}},
    "/api/session": {
      "post": {"summary": "Sign in: sets the session cookie, returns the CSRF token", "security": [],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["user", "password"],
          "properties": {"user": {"type": "string"}, "password": {"type": "string"}}}}}},
        "responses": {"200": {"description": "signed in"}, "401": {"description": "wrong user or password"}, "429": {"description": "too many failures: Retry-After"}}},
      "get": {"summary": "Who is signed in (and the session's CSRF token)", "responses": {"200": {"description": "user, role"}, "401": {"description": "not signed in"}}},
      "delete": {"summary": "Sign out", "responses": {"200": {"description": "signed out"}}}
    },
    "/api/templates": {"get": {"summary": "Templates and their parameters (viewer)",
      "responses": {"200": {"description": "templates", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Template"}}}}}}}},
    "/api/templates/{name}/params/{param}/choices": {"get": {"summary": "The values a parameter may take, from its template's choices query (viewer): [{value, label}], at most 5000",
      "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
                     {"name": "param", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "choices"}, "400": {"description": "no such parameter, or it has no choices"},
        "404": {"description": "no such template"}}}},
    "/api/templates/{name}/render": {"post": {"summary": "Render a document (viewer): the file in the response",
      "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
      "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
        "params": {"type": "object", "additionalProperties": true}, "format": {"type": "string", "enum": ["pdf", "xlsx", "zip"], "default": "pdf"}}}}}},
      "responses": {"200": {"description": "application/pdf, the XLSX type, or application/zip with both"},
        "400": {"description": "a bad parameter or format"}, "404": {"description": "no such template or record"},
        "422": {"description": "a template problem or unusable data"}, "503": {"description": "every worker busy, queue full: Retry-After"}}}},
    "/api/batches": {"get": {"summary": "Batches of reports.ini and whether they run (viewer)", "responses": {"200": {"description": "batches"}}}},
    "/api/batches/{name}/runs": {"post": {"summary": "Start a run (operator)",
      "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
      "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"params": {"type": "object"}}}}}},
      "responses": {"202": {"description": "started"}, "400": {"description": "unknown batch or parameter"}, "409": {"description": "already running"}}}},
    "/api/batches/{name}/stop": {"post": {"summary": "Stop the running run (operator): documents in flight finish",
      "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"202": {"description": "stopping"}, "409": {"description": "not running"}}}},
    "/api/batches/{name}/progress": {"get": {"summary": "The current or last run of the batch: log lines, state, history id",
      "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "progress"}}}},
    "/api/runs": {"get": {"summary": "Recent runs with outcome and why (viewer)",
      "responses": {"200": {"description": "runs", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Run"}}}}}}}},
    "/api/runs/{id}": {"get": {"summary": "One run with its files",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
      "responses": {"200": {"description": "the run", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Run"}}}}, "404": {"description": "no such run"}}}},
    "/api/runs/{id}/files/{path}": {"get": {"summary": "A file of the run, as its manifest lists it (or the manifest)",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                     {"name": "path", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "the file"}, "404": {"description": "not a file of this run"}}}},
    "/api/checks": {"get": {"summary": "check for every template, with file:line:col (admin)", "responses": {"200": {"description": "results"}, "403": {"description": "not an admin"}}}}
  }
}
)JSON";
}

}  // namespace gp::server
