// How a SQLite value becomes a gp::Value: exactly, or not at all.
//
// SQLite stores each value with its own storage class (NULL, INTEGER, REAL, TEXT, BLOB)
// whatever the column's declared type, so a NUMERIC column can hold 'много' and a DATE column
// 20220110. The declared type says what the value is meant to be; the storage class says what it
// is. A value that cannot be read exactly as what it is meant to be is refused (BadValue), never
// turned into 0, a rounded figure or another date. A column without a declared type (COUNT,
// CAST, arithmetic, CASE) is typed by each value's storage class.
#pragma once

#include <sqlite3.h>

#include <string>

#include "core/value.h"

namespace gp::data::sqlite {

enum class Intent {
    ByStorage,  // no declared type, or one that says nothing (BLOB, JSON, UUID, VARIANT…)
    Integer,    // INTEGER, BIGINT, INT, SMALLINT… (SQLite: the name contains INT)
    Exact,      // NUMERIC, DECIMAL, MONEY, NUM, NUMBER: gp::Decimal (four places)
    Real,       // REAL, FLOAT, DOUBLE: a binary double, as declared
    Boolean,    // BOOL, BOOLEAN
    Date,       // DATE, DATETIME, TIMESTAMP: 'YYYY-MM-DD' text (a time part is dropped)
    Text,       // TEXT, CHAR, VARCHAR, CLOB, STRING, NVARCHAR…
};

struct ColumnType {
    Intent intent = Intent::ByStorage;
    int scale = -1;      // NUMERIC(p,s): s; -1 when not declared
    std::string declared;  // as written ("NUMERIC(15,2)"), for messages
};

// The intent of a declared type as sqlite3_column_decltype() gives it (nullptr: none).
ColumnType classify(const char* declared);

// A value that cannot be read exactly as its column's type: what it holds and what it is not.
struct BadValue {
    std::string shown;     // the value as stored, cut to a readable length
    std::string expected;  // "a decimal number (a point, not a comma: 12.50)"
};

// Reads column `col` of the current row. Throws BadValue.
Value read(sqlite3_stmt* stmt, int col, const ColumnType& type);

// Binds a value to parameter `index` (1-based); a Decimal as its exact decimal text, never
// through a double. Returns the SQLite result code.
int bind(sqlite3_stmt* stmt, int index, const Value& value);

}  // namespace gp::data::sqlite
