// Cron expressions for scheduled batches: five fields (minute hour day-of-month month
// day-of-week) with *, lists, ranges, steps and names (jan, mon), or @hourly/@daily/
// @weekly/@monthly/@yearly. Times are the machine's local time.
#pragma once

#include <bitset>
#include <ctime>
#include <string>

namespace gp::batch {

class Cron {
public:
    // Throws gp::Error(Config) naming `where` and the faulty field.
    static Cron parse(const std::string& expression, const std::string& where);

    // The first whole minute strictly after `after` that matches.
    std::time_t next(std::time_t after) const;
    bool matches(std::time_t t) const;
    const std::string& expression() const { return expression_; }

private:
    std::string expression_;
    std::bitset<60> minutes_;
    std::bitset<24> hours_;
    std::bitset<32> days_;    // 1..31
    std::bitset<13> months_;  // 1..12
    std::bitset<7> weekdays_; // 0 = Sunday
    bool anyDay_ = true;      // day-of-month was *
    bool anyWeekday_ = true;  // day-of-week was *
};

}  // namespace gp::batch
