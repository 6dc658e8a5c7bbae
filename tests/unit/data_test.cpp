#include <gtest/gtest.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <filesystem>

#include "core/error.h"
#include "data/source.h"

namespace fs = std::filesystem;
using namespace gp;

namespace {

data::SourceConfig makeDb(const std::string& name) {
    fs::path p = fs::path(::testing::TempDir()) / name;
    fs::remove(p);
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session s("SQLite", p.string());
    using Poco::Data::Keywords::now;
    s << "CREATE TABLE t(id INTEGER, title TEXT, amount NUMERIC(15,2), d DATE, ok BOOLEAN)", now;
    s << "INSERT INTO t VALUES (1, 'Клуб неравнодушных - 2022 \"Тверская, 21\"', 2691000.00, '2022-01-01', 1)", now;
    s << "INSERT INTO t VALUES (2, NULL, 1234.56, '2022-12-31', NULL)", now;
    s << "WITH RECURSIVE n(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
         "INSERT INTO t SELECT i, 'x', 1, '2022-06-01', 0 FROM n",
        now;
    data::SourceConfig src;
    src.name = "test";
    src.kind = "sqlite";
    src.path = p.string();
    return src;
}

}  // namespace

TEST(BindNames, RewritesPlaceholdersOutsideLiterals) {
    auto b = data::bindNames("SELECT ':no', \"a:b\" FROM t -- :c\nWHERE id = :id AND x::text = :name /* :d */ OR y = :id");
    EXPECT_EQ(b.sql, "SELECT ':no', \"a:b\" FROM t -- :c\nWHERE id = ? AND x::text = ? /* :d */ OR y = ?");
    EXPECT_EQ(b.names, (std::vector<std::string>{"id", "name", "id"}));
}

TEST(Session, ReturnsTypedValues) {
    data::Session s(makeDb("typed.db"));
    auto r = s.query("SELECT id, title, amount, d, ok FROM t WHERE id <= :max ORDER BY id", {{"max", std::int64_t{2}}},
                     "test query");
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.columns, (std::vector<std::string>{"id", "title", "amount", "d", "ok"}));
    EXPECT_EQ(std::get<std::int64_t>(r.rows[0][0]), 1);
    EXPECT_EQ(std::get<std::string>(r.rows[0][1]), "Клуб неравнодушных - 2022 \"Тверская, 21\"");
    EXPECT_EQ(toDecimal(r.rows[0][2])->toString(2), "2691000.00");
    EXPECT_EQ(toDecimal(r.rows[1][2])->toString(2), "1234.56");
    EXPECT_EQ(std::get<Date>(r.rows[0][3]), (Date{2022, 1, 1}));
    EXPECT_TRUE(std::get<bool>(r.rows[0][4]));
    EXPECT_TRUE(isNull(r.rows[1][1]));
    EXPECT_TRUE(isNull(r.rows[1][4]));
}

TEST(Session, BindsParametersAsDataNeverAsSql) {
    data::Session s(makeDb("inject.db"));
    auto r = s.query("SELECT id FROM t WHERE title = :t", {{"t", std::string("x' OR '1'='1")}}, "q");
    EXPECT_TRUE(r.rows.empty());
    auto same = s.query("SELECT COUNT(*) FROM t WHERE id = :id OR id = :id + 1", {{"id", std::int64_t{1}}}, "q");
    EXPECT_EQ(toPlainString(same.rows[0][0]), "2");
}

TEST(Session, StreamsInChunks) {
    data::Session s(makeDb("stream.db"));
    std::vector<std::string> columns;
    std::int64_t count = 0, sum = 0;
    s.stream("SELECT id FROM t ORDER BY id", {}, "q", columns, [&](const std::vector<Value>& row) {
        ++count;
        sum += std::get<std::int64_t>(row[0]);
    }, 7);
    EXPECT_EQ(columns, std::vector<std::string>{"id"});
    EXPECT_EQ(count, 100);
    EXPECT_EQ(sum, 5050);
}

TEST(Session, ErrorsNameTheQueryAndTheSource) {
    data::Session s(makeDb("errors.db"));
    try {
        s.query("SELECT * FROM missing_table", {}, "query 'budget' (application.xml:7)");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Data);
        EXPECT_NE(std::string(e.what()).find("query 'budget' (application.xml:7)"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("missing_table"), std::string::npos) << e.what();
    }
    try {
        s.query("SELECT * FROM t WHERE id = :id", {}, "query 'project'");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(":id"), std::string::npos) << e.what();
    }
}

TEST(Session, MissingDatabaseFileIsNotCreated) {
    data::SourceConfig src;
    src.name = "sample";
    src.kind = "sqlite";
    src.path = (fs::path(::testing::TempDir()) / "no-such.db").string();
    try {
        data::Session s(src);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Data);
        EXPECT_NE(std::string(e.what()).find("no-such.db"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("make-sample-db.sh"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(src.path));
}

TEST(Cursor, PullsRowsAcrossChunksAndKnowsColumnsOfAnEmptyResult) {
    data::Session s(makeDb("cursor.db"));
    auto c = s.open("SELECT id, title FROM t WHERE id > :from ORDER BY id", {{"from", std::int64_t{90}}}, "q", 3);
    EXPECT_EQ(c->columns(), (std::vector<std::string>{"id", "title"}));
    std::vector<Value> row;
    std::vector<std::int64_t> ids;
    while (c->next(row)) ids.push_back(std::get<std::int64_t>(row[0]));
    EXPECT_EQ(ids, (std::vector<std::int64_t>{91, 92, 93, 94, 95, 96, 97, 98, 99, 100}));
    EXPECT_FALSE(c->next(row));

    auto empty = s.open("SELECT id, title FROM t WHERE id < 0", {}, "q", 3);
    EXPECT_EQ(empty->columns().size(), 2u);
    EXPECT_FALSE(empty->next(row));
}
