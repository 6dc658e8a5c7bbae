#include "batch/cron.h"

#include <charconv>
#include <map>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace gp::batch {
namespace {

struct Field {
    const char* name;
    int min;
    int max;
    std::map<std::string, int> names;
};

const Field kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month", 1, 12,
     {{"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4}, {"may", 5}, {"jun", 6},
      {"jul", 7}, {"aug", 8}, {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}}},
    {"day of week", 0, 7, {{"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4}, {"fri", 5}, {"sat", 6}}},
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(s);
    while (std::getline(in, item, sep)) out.push_back(item);
    return out;
}

// Sets the bits of `field` that `text` selects; returns false on a syntax or range error.
bool parseField(const std::string& text, const Field& field, std::vector<bool>& bits) {
    auto value = [&](const std::string& s, int& out) {
        std::string lower;
        for (char c : s) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        if (auto it = field.names.find(lower); it != field.names.end()) {
            out = it->second;
            return true;
        }
        auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        return r.ec == std::errc() && r.ptr == s.data() + s.size() && out >= field.min && out <= field.max;
    };
    if (text.empty()) return false;
    for (const auto& part : split(text, ',')) {
        std::string range = part;
        int step = 1;
        if (auto slash = part.find('/'); slash != std::string::npos) {
            range = part.substr(0, slash);
            std::string s = part.substr(slash + 1);
            auto r = std::from_chars(s.data(), s.data() + s.size(), step);
            if (r.ec != std::errc() || r.ptr != s.data() + s.size() || step < 1) return false;
        }
        int lo, hi;
        if (range == "*") {
            lo = field.min;
            hi = field.max;
        } else if (auto dash = range.find('-'); dash != std::string::npos) {
            if (!value(range.substr(0, dash), lo) || !value(range.substr(dash + 1), hi) || lo > hi) return false;
        } else {
            if (!value(range, lo)) return false;
            hi = part.find('/') != std::string::npos ? field.max : lo;
        }
        for (int v = lo; v <= hi; v += step) bits[static_cast<size_t>(v)] = true;
    }
    return true;
}

}  // namespace

Cron Cron::parse(const std::string& expression, const std::string& where) {
    static const std::map<std::string, std::string> kMacros = {
        {"@hourly", "0 * * * *"}, {"@daily", "0 0 * * *"}, {"@midnight", "0 0 * * *"},
        {"@weekly", "0 0 * * 0"}, {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}};
    std::string text = expression;
    if (auto m = kMacros.find(text); m != kMacros.end()) text = m->second;
    std::vector<std::string> fields;
    std::istringstream in(text);
    for (std::string f; in >> f;) fields.push_back(f);
    if (fields.size() != 5)
        throw Error(ErrorKind::Config, where + ": schedule '" + expression +
                                           "' needs five fields: minute hour day-of-month month day-of-week (e.g. '30 2 * * 1-5')");
    Cron c;
    c.expression_ = expression;
    for (size_t i = 0; i < 5; ++i) {
        std::vector<bool> bits(static_cast<size_t>(kFields[i].max) + 1, false);
        if (!parseField(fields[i], kFields[i], bits))
            throw Error(ErrorKind::Config, where + ": schedule '" + expression + "': bad " + kFields[i].name + " '" +
                                               fields[i] + "' (allowed " + std::to_string(kFields[i].min) + "–" +
                                               std::to_string(kFields[i].max) + ")");
        for (size_t v = 0; v < bits.size(); ++v) {
            if (!bits[v]) continue;
            switch (i) {
                case 0: c.minutes_.set(v); break;
                case 1: c.hours_.set(v); break;
                case 2: c.days_.set(v); break;
                case 3: c.months_.set(v); break;
                case 4: c.weekdays_.set(v % 7); break;  // 7 is Sunday too
            }
        }
    }
    c.anyDay_ = fields[2] == "*";
    c.anyWeekday_ = fields[4] == "*";
    return c;
}

bool Cron::matches(std::time_t t) const {
    std::tm tm{};
    localtime_r(&t, &tm);
    if (!minutes_[static_cast<size_t>(tm.tm_min)] || !hours_[static_cast<size_t>(tm.tm_hour)] ||
        !months_[static_cast<size_t>(tm.tm_mon + 1)])
        return false;
    bool day = days_[static_cast<size_t>(tm.tm_mday)];
    bool weekday = weekdays_[static_cast<size_t>(tm.tm_wday)];
    // As in Vixie cron: when both day fields are restricted, either may match.
    if (anyDay_ || anyWeekday_) return day && weekday;
    return day || weekday;
}

std::time_t Cron::next(std::time_t after) const {
    std::time_t t = after - (after % 60) + 60;  // next whole minute
    // Skip whole hours that cannot match to keep the search short; four years covers Feb 29.
    for (int guard = 0; guard < 4 * 366 * 24 * 60; ++guard) {
        std::tm tm{};
        localtime_r(&t, &tm);
        if (!months_[static_cast<size_t>(tm.tm_mon + 1)] || !hours_[static_cast<size_t>(tm.tm_hour)]) {
            t += 60 * (60 - tm.tm_min);
            continue;
        }
        if (matches(t)) return t;
        t += 60;
    }
    throw Error(ErrorKind::Config, "schedule '" + expression_ + "' never matches (e.g. 31 February)");
}

}  // namespace gp::batch
