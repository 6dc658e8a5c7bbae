#include "data/source.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <sqlite3.h>

#include <cctype>
#include <filesystem>
#include <mutex>

#include "core/error.h"
#include "data/odbc.h"
#include "data/sqlite_types.h"

namespace gp::data {
namespace {

constexpr int kBusyTimeoutMs = 10000;

void registerConnectors() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Data::SQLite::Connector::registerConnector();
    });
}

// --- SQLite opened read-only ---------------------------------------------------------
// Poco 1.11 opens every SQLite file with SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE and the
// default VFS, and has no way to pass other flags. So the default VFS becomes a wrapper that
// passes everything through, except that the main database file opened on a thread inside
// ReadOnlyOpen is opened with SQLITE_OPEN_READONLY (no CREATE): the pager then knows the
// database is read-only (sqlite3_db_readonly is 1), and the file is opened O_RDONLY.
// Every other SQLite use in the process (the batch history) is untouched.

thread_local bool tlOpenReadOnly = false;
sqlite3_vfs* gBaseVfs = nullptr;
sqlite3_vfs gReadOnlyVfs;

int readOnlyOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* outFlags) {
    if (tlOpenReadOnly && (flags & SQLITE_OPEN_MAIN_DB)) {
        flags &= ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        flags |= SQLITE_OPEN_READONLY;
    }
    return gBaseVfs->xOpen(gBaseVfs, name, file, flags, outFlags);
}

void installReadOnlyVfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        gBaseVfs = sqlite3_vfs_find(nullptr);
        if (!gBaseVfs) return;
        gReadOnlyVfs = *gBaseVfs;  // same methods and app data; only xOpen differs
        gReadOnlyVfs.zName = "grantpress-readonly";
        gReadOnlyVfs.pNext = nullptr;
        gReadOnlyVfs.xOpen = readOnlyOpen;
        if (sqlite3_vfs_register(&gReadOnlyVfs, 1) != SQLITE_OK) gBaseVfs = nullptr;
    });
}

// While alive, SQLite main databases opened on this thread are opened read-only.
struct ReadOnlyOpen {
    ReadOnlyOpen() { tlOpenReadOnly = true; }
    ~ReadOnlyOpen() { tlOpenReadOnly = false; }
    ReadOnlyOpen(const ReadOnlyOpen&) = delete;
    ReadOnlyOpen& operator=(const ReadOnlyOpen&) = delete;
};

// What a statement may do: read. SQLite asks while it prepares a statement; a denied action
// makes the prepare fail with SQLITE_AUTH, before anything runs. The first denied action is
// kept (for the message) in the session's ReadOnlyGuard.
const char* actionName(int action) {
    switch (action) {
        case SQLITE_CREATE_INDEX: return "CREATE INDEX";
        case SQLITE_CREATE_TABLE: return "CREATE TABLE";
        case SQLITE_CREATE_TEMP_INDEX: return "CREATE TEMP INDEX";
        case SQLITE_CREATE_TEMP_TABLE: return "CREATE TEMP TABLE";
        case SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TEMP TRIGGER";
        case SQLITE_CREATE_TEMP_VIEW: return "CREATE TEMP VIEW";
        case SQLITE_CREATE_TRIGGER: return "CREATE TRIGGER";
        case SQLITE_CREATE_VIEW: return "CREATE VIEW";
        case SQLITE_DELETE: return "DELETE FROM";
        case SQLITE_DROP_INDEX: return "DROP INDEX";
        case SQLITE_DROP_TABLE: return "DROP TABLE";
        case SQLITE_DROP_TEMP_INDEX: return "DROP TEMP INDEX";
        case SQLITE_DROP_TEMP_TABLE: return "DROP TEMP TABLE";
        case SQLITE_DROP_TEMP_TRIGGER: return "DROP TEMP TRIGGER";
        case SQLITE_DROP_TEMP_VIEW: return "DROP TEMP VIEW";
        case SQLITE_DROP_TRIGGER: return "DROP TRIGGER";
        case SQLITE_DROP_VIEW: return "DROP VIEW";
        case SQLITE_INSERT: return "INSERT INTO";
        case SQLITE_PRAGMA: return "PRAGMA";
        case SQLITE_TRANSACTION: return "transaction control";
        case SQLITE_UPDATE: return "UPDATE";
        case SQLITE_ATTACH: return "ATTACH DATABASE";
        case SQLITE_DETACH: return "DETACH DATABASE";
        case SQLITE_ALTER_TABLE: return "ALTER TABLE";
        case SQLITE_REINDEX: return "REINDEX";
        case SQLITE_ANALYZE: return "ANALYZE";
        case SQLITE_CREATE_VTABLE: return "CREATE VIRTUAL TABLE";
        case SQLITE_DROP_VTABLE: return "DROP VIRTUAL TABLE";
        case SQLITE_FUNCTION: return "the function";
        case SQLITE_SAVEPOINT: return "SAVEPOINT";
        default: return "a statement that is not a query";
    }
}

}  // namespace

struct Session::ReadOnlyGuard {
    std::string denied;  // the first action refused since the last take()

    std::string take() {
        std::string out;
        out.swap(denied);
        return out;
    }
};

namespace {

bool isSchemaTable(const char* table) {
    return table && (sqlite3_stricmp(table, "sqlite_master") == 0 || sqlite3_stricmp(table, "sqlite_schema") == 0 ||
                     sqlite3_stricmp(table, "sqlite_temp_master") == 0 || sqlite3_stricmp(table, "sqlite_temp_schema") == 0);
}

std::string describeAction(int action, const char* a1, const char* a2) {
    // CREATE, DROP and ALTER ask first about writing the schema table, and stop there.
    if ((action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE) && isSchemaTable(a1))
        return "changing the schema";
    std::string what = actionName(action);
    auto quoted = [](const char* s) { return std::string(" '") + s + "'"; };
    switch (action) {
        case SQLITE_FUNCTION:
            if (a2) what += std::string(" ") + a2 + "()";
            break;
        case SQLITE_PRAGMA:
            if (a1) what += std::string(" ") + a1;
            if (a1 && a2) what += std::string(" = ") + a2;
            break;
        case SQLITE_TRANSACTION:
            if (a1) what = a1;
            break;
        case SQLITE_UPDATE:
            if (a1) what += quoted(a1);
            if (a1 && a2) what += std::string(" (column ") + a2 + ")";
            break;
        case SQLITE_SAVEPOINT:  // the operation (BEGIN, RELEASE, ROLLBACK) and the savepoint's name
            if (a2) what += quoted(a2);
            break;
        case SQLITE_ATTACH:
        case SQLITE_CREATE_VTABLE:
        case SQLITE_DROP_VTABLE:
        case SQLITE_ALTER_TABLE:
            if (a1) what += quoted(a1);
            if (action == SQLITE_ALTER_TABLE && a2) what += quoted(a2);
            break;
        default:
            if (a1) what += quoted(a1);
    }
    return what;
}

// The SQLite authorizer: a C callback, so it never throws (a failure to record the action
// still denies it).
int authorizeReadOnly(void* data, int action, const char* a1, const char* a2, const char*, const char*) noexcept {
    switch (action) {
        case SQLITE_SELECT:
        case SQLITE_READ:
        case SQLITE_RECURSIVE: return SQLITE_OK;
        case SQLITE_FUNCTION:
            if (a2 && sqlite3_stricmp(a2, "load_extension") != 0) return SQLITE_OK;
            break;
        default: break;
    }
    try {
        auto* guard = static_cast<Session::ReadOnlyGuard*>(data);
        if (guard->denied.empty()) guard->denied = describeAction(action, a1, a2);
    } catch (...) {
    }
    return SQLITE_DENY;
}

std::string refusal(const std::string& what, const std::string& denied) {
    return what + ": " + denied +
           " is refused: GrantPress only reads the database, so a query may only read (SELECT, WITH); it may not "
           "write, change the schema, attach files, set pragmas or load extensions";
}

bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

BoundSql bindNames(const std::string& sql) {
    BoundSql out;
    out.sql.reserve(sql.size());
    size_t i = 0;
    const size_t n = sql.size();
    while (i < n) {
        char c = sql[i];
        if (c == '\'' || c == '"') {  // literal or quoted identifier; doubled quote escapes
            size_t j = i + 1;
            while (j < n) {
                if (sql[j] == c) {
                    if (j + 1 < n && sql[j + 1] == c) { j += 2; continue; }
                    break;
                }
                ++j;
            }
            j = std::min(j + 1, n);
            out.sql.append(sql, i, j - i);
            i = j;
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            size_t j = sql.find('\n', i);
            if (j == std::string::npos) j = n;
            out.sql.append(sql, i, j - i);
            i = j;
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            size_t j = sql.find("*/", i + 2);
            j = j == std::string::npos ? n : j + 2;
            out.sql.append(sql, i, j - i);
            i = j;
        } else if (c == ':' && i + 1 < n && sql[i + 1] == ':') {
            out.sql += "::";
            i += 2;
        } else if (c == ':' && i + 1 < n && isIdentStart(sql[i + 1])) {
            size_t j = i + 1;
            while (j < n && isIdentChar(sql[j])) ++j;
            out.names.push_back(sql.substr(i + 1, j - i - 1));
            out.sql += '?';
            i = j;
        } else {
            out.sql += c;
            ++i;
        }
    }
    return out;
}

Session::Session(const SourceConfig& source) : source_(source) {
    registerConnectors();
    const std::string where = "data source '" + source.name + "'";
    try {
        if (source.kind == "sqlite") {
            std::error_code ec;
            if (!std::filesystem::is_regular_file(source.path, ec))
                throw Error(ErrorKind::Data, source.configFile, source.configLine,
                            where + ": database file " + source.path +
                                " not found. Build the sample with scripts/make-sample-db.sh or fix 'path' in [source." +
                                source.name + "]");
            installReadOnlyVfs();
            if (!gBaseVfs)
                throw Error(ErrorKind::Data, where + ": cannot open " + source.path + " read-only (no SQLite VFS)");
            {
                ReadOnlyOpen readOnly;
                session_ = std::make_unique<Poco::Data::Session>("SQLite", source.path);
            }
            sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(*session_);
            // Fail closed: a database that is not read-only is never used.
            if (sqlite3_db_readonly(db, "main") != 1)
                throw Error(ErrorKind::Data, source.configFile, source.configLine,
                            where + ": " + source.path + " could not be opened read-only");
            // A writer holding the database: wait up to kBusyTimeoutMs for it, then a data error that
            // says so (Poco's default wait is two minutes per query; a batch also retries a record).
            sqlite3_busy_timeout(db, kBusyTimeoutMs);
            sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
            sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
            readOnly_ = std::make_unique<ReadOnlyGuard>();
            if (sqlite3_set_authorizer(db, authorizeReadOnly, readOnly_.get()) != SQLITE_OK)
                throw Error(ErrorKind::Data, where + ": cannot restrict " + source.path + " to reading");
        } else if (source.kind == "odbc") {
            odbc_ = std::make_unique<odbc::Connection>(source);
        } else {
            throw Error(ErrorKind::Config, source.configFile, source.configLine,
                        where + ": unknown kind '" + source.kind + "' (use sqlite or odbc)");
        }
    } catch (const Poco::Exception& e) {
        // Never echo the connection string: it may hold a password.
        throw Error(ErrorKind::Data, where + ": cannot connect: " + odbc::redact(e.message(), source.connection));
    }
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

namespace {

// Owns a prepared statement.
struct Statement {
    sqlite3_stmt* stmt = nullptr;
    Statement() = default;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { sqlite3_finalize(stmt); }
};

// A query on SQLite through the C API on the session's own connection: rows stepped one at a
// time (constant memory whatever the result's size), every value typed exactly by
// data/sqlite_types.h (Poco 1.11's SQLite binding reads by declared type alone: 'много' in a
// NUMERIC column came out as 0, '12,50' as 12, and a type it does not know as "Not found").
class SqliteCursor : public Cursor {
public:
    SqliteCursor(sqlite3* db, Session::ReadOnlyGuard& readOnly, const BoundSql& bound, const Params& params,
                 std::string what)
        : db_(db), readOnly_(readOnly), what_(std::move(what)) {
        readOnly_.take();
        const char* tail = nullptr;
        const int rc = sqlite3_prepare_v3(db_, bound.sql.data(), static_cast<int>(bound.sql.size()), 0, &stmt_.stmt, &tail);
        if (rc != SQLITE_OK) fail(rc);
        if (!stmt_.stmt) throw Error(ErrorKind::Template, what_ + ": the query is empty");
        // One statement per query: what follows it must be nothing but spaces and comments.
        if (tail && *tail) {
            Statement next;
            const char* end = bound.sql.data() + bound.sql.size();
            if (sqlite3_prepare_v3(db_, tail, static_cast<int>(end - tail), 0, &next.stmt, nullptr) == SQLITE_OK && next.stmt)
                throw Error(ErrorKind::Template, what_ + ": holds more than one SQL statement; a query is one SELECT "
                                                         "(remove the ';' and what follows it)");
        }
        for (std::size_t i = 0; i < bound.names.size(); ++i) {
            const int brc = sqlite::bind(stmt_.stmt, static_cast<int>(i + 1), params.at(bound.names[i]));
            if (brc != SQLITE_OK) fail(brc);
        }
        const int n = sqlite3_column_count(stmt_.stmt);
        for (int c = 0; c < n; ++c) {
            const char* name = sqlite3_column_name(stmt_.stmt, c);
            columns_.emplace_back(name ? name : "");
            types_.push_back(sqlite::classify(sqlite3_column_decltype(stmt_.stmt, c)));
        }
    }

    const std::vector<std::string>& columns() const override { return columns_; }

    bool next(std::vector<Value>& row) override {
        if (done_) return false;
        const int rc = sqlite3_step(stmt_.stmt);
        if (rc == SQLITE_DONE) {
            done_ = true;
            return false;
        }
        if (rc != SQLITE_ROW) fail(rc);
        ++rowNumber_;
        row.clear();
        for (std::size_t c = 0; c < types_.size(); ++c) {
            try {
                row.push_back(sqlite::read(stmt_.stmt, static_cast<int>(c), types_[c]));
            } catch (const sqlite::BadValue& bad) {
                badValue(c, bad);
            }
        }
        return true;
    }

private:
    [[noreturn]] void fail(int rc) {
        // A statement the authorizer refused is the query's fault, not the database's.
        const std::string denied = readOnly_.take();
        if (!denied.empty()) throw Error(ErrorKind::Template, refusal(what_, denied));
        std::string message = sqlite3_errmsg(db_);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            message += " (another program has held a lock on the database for over " + std::to_string(kBusyTimeoutMs / 1000) +
                       " s: try again when it has finished)";
        throw Error(ErrorKind::Data, what_ + ": " + message);
    }

    // Names the row (its number, and its id when the query has an id column), the column, its
    // declared type and the value, and says what the value should be.
    [[noreturn]] void badValue(std::size_t c, const sqlite::BadValue& bad) {
        std::string row = "row " + std::to_string(rowNumber_);
        for (std::size_t k = 0; k < columns_.size(); ++k)
            if (sqlite3_stricmp(columns_[k].c_str(), "id") == 0 && k != c &&
                sqlite3_column_type(stmt_.stmt, static_cast<int>(k)) == SQLITE_INTEGER)
                row += " (id " + std::to_string(sqlite3_column_int64(stmt_.stmt, static_cast<int>(k))) + ")";
        const std::string declared = types_[c].declared.empty() ? "" : " (declared " + types_[c].declared + ")";
        throw BadValueError(what_ + ": " + row + ", column '" + columns_[c] + "'" + declared + " holds '" +
                                         bad.shown + "', which is not " + bad.expected +
                                         ": correct the value in the database; GrantPress never prints a figure or "
                                         "date it cannot read exactly");
    }

    sqlite3* db_;
    Session::ReadOnlyGuard& readOnly_;
    std::string what_;
    Statement stmt_;
    std::vector<std::string> columns_;
    std::vector<sqlite::ColumnType> types_;
    std::int64_t rowNumber_ = 0;
    bool done_ = false;
};

}  // namespace

std::unique_ptr<Cursor> Session::open(const std::string& sql, const Params& params, const std::string& what) {
    return open(bindNames(sql), params, what);
}

std::unique_ptr<Cursor> Session::open(const BoundSql& bound, const Params& params, const std::string& what) {
    for (const auto& name : bound.names)
        if (!params.count(name))
            throw Error(ErrorKind::Template, what + ": uses :" + name + " but no parameter '" + name +
                                                 "' is declared or given");
    if (odbc_) return odbc_->open(bound, params, what);
    // Every statement is checked before the first runs: a write after a SELECT is refused
    // as clearly as one alone.
    refuseWrites(bound.sql, what + " on data source '" + source_.name + "'");
    return std::make_unique<SqliteCursor>(Poco::Data::SQLite::Utility::dbHandle(*session_), *readOnly_, bound, params,
                                          what + " on data source '" + source_.name + "'");
}

namespace {

// The first word of a statement, upper case ("REINDEX"), for a message.
std::string firstWord(const char* sql) {
    std::string word;
    if (!sql) return word;
    const char* p = sql;
    while (*p && !std::isalpha(static_cast<unsigned char>(*p))) ++p;
    while (std::isalpha(static_cast<unsigned char>(*p)))
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(*p++)));
    return word;
}

}  // namespace

void Session::refuseWrites(const std::string& sql, const std::string& what) {
    sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(*session_);
    readOnly_->take();
    const char* p = sql.c_str();
    const char* end = p + sql.size();
    while (p < end) {  // every statement of the text, as Poco would run them one after another
        sqlite3_stmt* stmt = nullptr;
        const char* tail = nullptr;
        const int rc = sqlite3_prepare_v2(db, p, static_cast<int>(end - p), &stmt, &tail);
        std::string denied = readOnly_->take();
        // What the authorizer cannot see while preparing (VACUUM, REINDEX and ANALYZE act when
        // run): a statement SQLite itself says writes.
        if (denied.empty() && rc == SQLITE_OK && stmt && !sqlite3_stmt_readonly(stmt))
            denied = firstWord(sqlite3_sql(stmt)) + " (a statement that writes)";
        sqlite3_finalize(stmt);
        if (!denied.empty()) throw Error(ErrorKind::Template, refusal(what, denied));
        if (rc != SQLITE_OK || !tail || tail <= p) return;  // other problems are found by running it
        p = tail;
    }
}

void Session::ensureReadOnly(const std::string& sql, const std::string& what) {
    if (!session_) return;  // ODBC: the server refuses a write when the statement runs
    refuseWrites(bindNames(sql).sql, what + " on data source '" + source_.name + "'");
}

void Session::stream(const std::string& sql, const Params& params, const std::string& what,
                     std::vector<std::string>& columns, const RowHandler& onRow) {
    auto cursor = open(sql, params, what);
    columns = cursor->columns();
    std::vector<Value> row;
    while (cursor->next(row)) onRow(row);
}

Result Session::query(const std::string& sql, const Params& params, const std::string& what) {
    return query(bindNames(sql), params, what);
}

Result Session::query(const BoundSql& bound, const Params& params, const std::string& what) {
    Result result;
    auto cursor = open(bound, params, what);
    result.columns = cursor->columns();
    std::vector<Value> row;
    while (cursor->next(row)) result.rows.push_back(row);
    return result;
}

}  // namespace gp::data
