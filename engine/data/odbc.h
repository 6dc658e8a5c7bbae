// ODBC data sources (kind = odbc): a connection through the unixODBC driver manager, and
// cursors that read every value the exact way.
//
// Statements use the ODBC API directly rather than Poco::Data::ODBC's statements: Poco 1.11
// types a NUMERIC(p,s>0) column as double in its column metadata and extracts it through
// SQL_C_DOUBLE, and cuts text at its maxFieldSize. Here NUMERIC/DECIMAL arrive as text and
// become gp::Decimal (never a binary double), text of any length is read in pieces with
// SQLGetData, parameters are bound with SQLBindParameter (never spliced into SQL), and rows
// are fetched one at a time, so memory stays flat when the driver streams (psqlODBC with
// UseDeclareFetch, which the connection adds when it is not configured).
//
// The connection string may hold credentials: it is never put into a message. Every driver
// message is passed through redact() before it reaches an error.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/source.h"

namespace gp::data::odbc {

// One `key=value` of a connection string; `{...}` values are unbraced ("}}" -> "}").
struct Attribute {
    std::string key;
    std::string value;
};
std::vector<Attribute> parseConnectionString(std::string_view text);

// True when `connection` sets any of `keys` (case-insensitive).
bool hasKey(const std::string& connection, std::initializer_list<std::string_view> keys);

// `text` with the connection string and the values of its password-like keys (Pwd,
// Password, and any key naming a secret, token or key) replaced by "***".
std::string redact(std::string text, const std::string& connection);

// The psqlODBC options GrantPress relies on that `connection` does not set, as
// ";key=value..." to append ("" when all are set): UseDeclareFetch=1 and Fetch=N (stream
// rows instead of holding the whole result) and BoolsAsChar=0 (booleans as SQL_BIT). Text in
// UTF-8 whatever the locale and the database encoding is not among them: the session runs
// SET client_encoding TO 'UTF8' after connecting (see Connection).
std::string psqlOptionsToAdd(const std::string& connection, std::size_t fetchRows);

class Connection {
public:
    // Connects; throws gp::Error(Data) naming the data source (never the connection string).
    explicit Connection(const SourceConfig& source);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs `bound.sql` with `params` bound in the order of `bound.names`. `what` names the
    // query in error messages.
    std::unique_ptr<Cursor> open(const BoundSql& bound, const Params& params, const std::string& what);

    // The driver's file name ("psqlodbcw.so") and the database product ("PostgreSQL").
    const std::string& driverName() const { return driver_; }
    const std::string& dbmsName() const { return dbms_; }

private:
    struct Handles;
    void connect(const std::string& connection);

    SourceConfig source_;
    std::unique_ptr<Handles> h_;
    std::string driver_;
    std::string dbms_;
};

}  // namespace gp::data::odbc
