// Data sources on Poco Data: one Session per opened source, typed values out, parameters
// always bound by name (`:id`) whatever the connector, results streamed row by row. SQLite
// queries run on the C API of the session's connection, typed exactly (data/sqlite_types.h).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/value.h"

namespace Poco::Data {
class Session;
}

namespace gp::data {
namespace odbc {
class Connection;
}

// A data source as configured in reports.ini ([source.NAME]).
struct SourceConfig {
    std::string name;        // "sample"
    std::string kind;        // "sqlite" or "odbc"
    std::string path;        // sqlite: database file (absolute after config load)
    std::string connection;  // odbc: DSN or connection string (may hold credentials: never print)
    int configLine = 0;      // line of the [source.NAME] header, for messages
    std::string configFile;
};

using Params = std::map<std::string, Value>;

struct Result {
    std::vector<std::string> columns;
    std::vector<std::vector<Value>> rows;
};

// SQL with `:name` placeholders rewritten to `?`, and the names in binding order. String
// literals, quoted identifiers, comments and PostgreSQL `::` casts are left alone.
struct BoundSql {
    std::string sql;
    std::vector<std::string> names;
};
BoundSql bindNames(const std::string& sql);

// Rows of a running query, pulled one at a time (a driver may buffer a few ahead).
class Cursor {
public:
    virtual ~Cursor() = default;
    virtual const std::vector<std::string>& columns() const = 0;
    // Fills `row` with the next row; false at the end. Throws gp::Error(Data) naming the query.
    virtual bool next(std::vector<Value>& row) = 0;
};

class Session {
public:
    // Opens the source. A missing SQLite file is an error (never silently created). An ODBC
    // source connects through the unixODBC driver manager (see data/odbc.h); its connection
    // string never appears in a message. Failures throw gp::Error(Data) naming the source.
    explicit Session(const SourceConfig& source);
    ~Session();
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const SourceConfig& source() const { return source_; }

    // Runs `sql` (one statement), binding each `:name` from `params`.
    // `what` names the query in error messages ("query 'budget' in application.xml:12"),
    // which add the data source's name. The cursor must not outlive this session.
    // A value that cannot be read exactly as its column's type throws gp::Error(Data) naming
    // the query, the row, the column and the value.
    std::unique_ptr<Cursor> open(const std::string& sql, const Params& params, const std::string& what);
    // The same for SQL whose :name parameters were found already (a compiled template's query).
    std::unique_ptr<Cursor> open(const BoundSql& bound, const Params& params, const std::string& what);

    // Runs `sql`, binding each `:name` from `params`, and calls `onRow` for every row while
    // holding one row in memory. `columns` is filled before the first row.
    // `what` names the query in error messages ("query 'budget' in application.xml:12").
    using RowHandler = std::function<void(const std::vector<Value>& row)>;
    void stream(const std::string& sql, const Params& params, const std::string& what,
                std::vector<std::string>& columns, const RowHandler& onRow);

    // Whole result in memory: for the small queries of a document.
    Result query(const std::string& sql, const Params& params, const std::string& what);
    Result query(const BoundSql& bound, const Params& params, const std::string& what);

    // Prepares every statement of `sql` without running it and throws gp::Error(Template),
    // naming `what` and the refused action, when one does more than read. SQLite only (an ODBC
    // server refuses a write when the statement runs); other problems are left to running it.
    void ensureReadOnly(const std::string& sql, const std::string& what);

    // SQLite sources are opened read-only (SQLITE_OPEN_READONLY) and every statement passes an
    // authorizer that allows only reading: SELECT, reading columns, WITH RECURSIVE and
    // functions other than load_extension(). A refused statement throws gp::Error(Template)
    // from open()/query()/stream(), saying what was refused. The guard records it (internal).
    struct ReadOnlyGuard;

private:
    void refuseWrites(const std::string& sql, const std::string& what);  // sqlite: `sql` with `?`

    SourceConfig source_;
    std::unique_ptr<ReadOnlyGuard> readOnly_;        // kind = sqlite; outlives session_
    std::unique_ptr<Poco::Data::Session> session_;  // kind = sqlite
    std::unique_ptr<odbc::Connection> odbc_;         // kind = odbc
};

}  // namespace gp::data
