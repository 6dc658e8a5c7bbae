#include "data/source.h"

#include <Poco/Data/Date.h>
#include <Poco/Data/MetaColumn.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/DateTime.h>
#include <Poco/Exception.h>

#include <filesystem>
#include <mutex>

#include "core/error.h"
#include "data/odbc.h"

namespace gp::data {
namespace {

using Poco::Data::MetaColumn;

void registerConnectors() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Data::SQLite::Connector::registerConnector();
    });
}

bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }

Value fromVar(const Poco::Dynamic::Var& v, MetaColumn::ColumnDataType type) {
    if (v.isEmpty()) return Null{};
    switch (type) {
        case MetaColumn::FDT_BOOL: return v.convert<bool>();
        case MetaColumn::FDT_INT8:
        case MetaColumn::FDT_UINT8:
        case MetaColumn::FDT_INT16:
        case MetaColumn::FDT_UINT16:
        case MetaColumn::FDT_INT32:
        case MetaColumn::FDT_UINT32:
        case MetaColumn::FDT_INT64:
        case MetaColumn::FDT_UINT64: return static_cast<std::int64_t>(v.convert<Poco::Int64>());
        case MetaColumn::FDT_FLOAT:
        case MetaColumn::FDT_DOUBLE: return v.convert<double>();
        case MetaColumn::FDT_DATE: {
            const auto& d = v.extract<Poco::Data::Date>();
            return Date{d.year(), d.month(), d.day()};
        }
        case MetaColumn::FDT_TIMESTAMP: {
            const auto& t = v.extract<Poco::DateTime>();
            return Date{t.year(), t.month(), t.day()};
        }
        default: return v.convert<std::string>();
    }
}

void bindValue(Poco::Data::Statement& stmt, const Value& value) {
    using namespace Poco::Data::Keywords;
    struct Binder {
        Poco::Data::Statement& s;
        void operator()(Null) const { s.addBind(use(null)); }
        void operator()(bool b) const { s.addBind(bind(b)); }
        void operator()(std::int64_t i) const { s.addBind(bind(static_cast<Poco::Int64>(i))); }
        void operator()(double d) const { s.addBind(bind(d)); }
        void operator()(Decimal d) const { s.addBind(bind(d.toDouble())); }
        void operator()(const Date& d) const { s.addBind(bind(d.iso())); }
        void operator()(const std::string& t) const { s.addBind(bind(t)); }
    };
    std::visit(Binder{stmt}, value);
}

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
            session_ = std::make_unique<Poco::Data::Session>("SQLite", source.path);
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

class PocoCursor : public Cursor {
public:
    PocoCursor(Poco::Data::Session& session, const BoundSql& bound, const Params& params, std::string what,
               std::size_t chunkRows)
        : stmt_(session), what_(std::move(what)) {
        using namespace Poco::Data::Keywords;
        guard([&] {
            stmt_ << bound.sql;
            for (const auto& name : bound.names) bindValue(stmt_, params.at(name));
            stmt_, limit(static_cast<Poco::UInt32>(chunkRows));
            fetch();
            for (std::size_t c = 0; c < rs_->columnCount(); ++c) columns_.push_back(rs_->columnName(c));
        });
    }

    const std::vector<std::string>& columns() const override { return columns_; }

    bool next(std::vector<Value>& row) override {
        return guard([&] {
            while (pos_ >= rs_->rowCount()) {
                if (stmt_.done()) return false;
                fetch();
            }
            row.clear();
            for (std::size_t c = 0; c < types_.size(); ++c) row.push_back(fromVar(rs_->value(c, pos_), types_[c]));
            ++pos_;
            return true;
        });
    }

private:
    // Runs the next chunk; the previous one is dropped.
    void fetch() {
        stmt_.execute();
        rs_ = std::make_unique<Poco::Data::RecordSet>(stmt_);
        pos_ = 0;
        types_.resize(rs_->columnCount());
        for (std::size_t c = 0; c < types_.size(); ++c) types_[c] = rs_->columnType(c);
    }

    template <typename F>
    auto guard(F&& f) -> decltype(f()) {
        try {
            return f();
        } catch (const Poco::Exception& e) {
            throw Error(ErrorKind::Data, what_ + ": " + e.displayText());
        }
    }

    Poco::Data::Statement stmt_;
    std::string what_;
    std::unique_ptr<Poco::Data::RecordSet> rs_;
    std::vector<MetaColumn::ColumnDataType> types_;
    std::vector<std::string> columns_;
    std::size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<Cursor> Session::open(const std::string& sql, const Params& params, const std::string& what,
                                      std::size_t chunkRows) {
    BoundSql bound = bindNames(sql);
    for (const auto& name : bound.names)
        if (!params.count(name))
            throw Error(ErrorKind::Template, what + ": uses :" + name + " but no parameter '" + name +
                                                 "' is declared or given");
    if (odbc_) return odbc_->open(bound, params, what);
    return std::make_unique<PocoCursor>(*session_, bound, params, what + " on data source '" + source_.name + "'",
                                        chunkRows);
}

void Session::stream(const std::string& sql, const Params& params, const std::string& what,
                     std::vector<std::string>& columns, const RowHandler& onRow, std::size_t chunkRows) {
    auto cursor = open(sql, params, what, chunkRows);
    columns = cursor->columns();
    std::vector<Value> row;
    while (cursor->next(row)) onRow(row);
}

Result Session::query(const std::string& sql, const Params& params, const std::string& what) {
    Result result;
    stream(sql, params, what, result.columns, [&](const std::vector<Value>& row) { result.rows.push_back(row); });
    return result;
}

}  // namespace gp::data
