#include "batch/params.h"

#include "core/error.h"
#include "template/expr.h"

namespace gp::batch {
namespace {

int daysIn(int year, int month) {
    int day = 31;
    while (!Date::valid(year, month, day)) --day;
    return day;
}

struct Period {
    int year, first, last;  // months first..last of year
};

Date start(const Period& p) { return {p.year, p.first, 1}; }
Date end(const Period& p) { return {p.year, p.last, daysIn(p.year, p.last)}; }

}  // namespace

std::vector<std::string> clockNames() {
    return {"now.year",          "now.month",         "now.day",          "now.quarter",      "now.hour",
            "now.minute",        "now.date",          "today",            "yesterday",        "prev_month.year",
            "prev_month.month",  "prev_month.start",  "prev_month.end",   "prev_quarter.year", "prev_quarter.quarter",
            "prev_quarter.start", "prev_quarter.end", "prev_year.year",   "prev_year.start",  "prev_year.end"};
}

std::optional<Value> clockValue(const std::string& name, std::time_t now) {
    std::tm tm{};
    localtime_r(&now, &tm);
    const int year = tm.tm_year + 1900, month = tm.tm_mon + 1, quarter = (month - 1) / 3 + 1;
    auto integer = [](int v) { return Value(static_cast<std::int64_t>(v)); };
    const Period prevMonth = month == 1 ? Period{year - 1, 12, 12} : Period{year, month - 1, month - 1};
    const int pq = quarter == 1 ? 4 : quarter - 1;
    const Period prevQuarter{quarter == 1 ? year - 1 : year, pq * 3 - 2, pq * 3};
    const Period prevYear{year - 1, 1, 12};
    if (name == "now.year") return integer(year);
    if (name == "now.month") return integer(month);
    if (name == "now.day") return integer(tm.tm_mday);
    if (name == "now.quarter") return integer(quarter);
    if (name == "now.hour") return integer(tm.tm_hour);
    if (name == "now.minute") return integer(tm.tm_min);
    if (name == "now.date" || name == "today") return Value(Date{year, month, tm.tm_mday});
    if (name == "yesterday") {
        std::time_t before = now - 86400;
        std::tm y{};
        localtime_r(&before, &y);
        return Value(Date{y.tm_year + 1900, y.tm_mon + 1, y.tm_mday});
    }
    if (name == "prev_month.year") return integer(prevMonth.year);
    if (name == "prev_month.month") return integer(prevMonth.first);
    if (name == "prev_month.start") return Value(start(prevMonth));
    if (name == "prev_month.end") return Value(end(prevMonth));
    if (name == "prev_quarter.year") return integer(prevQuarter.year);
    if (name == "prev_quarter.quarter") return integer(pq);
    if (name == "prev_quarter.start") return Value(start(prevQuarter));
    if (name == "prev_quarter.end") return Value(end(prevQuarter));
    if (name == "prev_year.year") return integer(prevYear.year);
    if (name == "prev_year.start") return Value(start(prevYear));
    if (name == "prev_year.end") return Value(end(prevYear));
    return std::nullopt;
}

std::map<std::string, std::string> resolveParams(const BatchSpec& spec, const std::map<std::string, std::string>& overrides,
                                                 std::time_t now) {
    std::map<std::string, std::string> out;
    // Not a structured binding: the lambda below uses name and raw, and clang before 16
    // cannot capture structured bindings (C++20).
    for (const auto& entry : spec.params) {
        const std::string& name = entry.first;
        const std::string& raw = entry.second;
        if (overrides.count(name)) continue;  // --param wins; its computation is not needed
        const auto at = spec.keyWhere.find("param." + name);
        const std::string where = at == spec.keyWhere.end() ? spec.where : at->second;
        try {
            const auto colon = where.rfind(':');
            const tmpl::TextExpr text =
                tmpl::parseText(raw, {where.substr(0, colon), std::stoi(where.substr(colon + 1)), 0}, false);
            const model::Cell cell = tmpl::evaluate(text, [&](const tmpl::Expr& e) -> std::optional<Value> {
                std::string ref;
                for (const auto& part : e.ref) ref += (ref.empty() ? "" : ".") + part;
                if (auto v = clockValue(ref, now)) return v;
                std::string known;
                for (const auto& n : clockNames()) known += (known.empty() ? "" : ", ") + n;
                throw Error(ErrorKind::Config, where + ": param." + name + " = " + raw + ": {" + e.source +
                                                   "} is not a clock value (known: " + known + ")");
            });
            out[name] = text.single() ? toPlainString(cell.value) : cell.text;
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::Config) throw;
            throw Error(ErrorKind::Config, where + ": param." + name + " = " + raw + ": " + e.what());
        }
    }
    for (const auto& [name, value] : overrides) out[name] = value;
    return out;
}

}  // namespace gp::batch
