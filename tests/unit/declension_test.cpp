// The inflect filter's engine (core/declension.h) against tests/data/declension/cases.tsv:
// names, positions and organizations in the six cases, written out by hand. Prints the share
// it gets right per kind; every miss is listed.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/declension.h"
#include "core/error.h"

using gp::words::Case;
using gp::words::Gender;

namespace {

struct Row {
    std::string kind, gender, caseName, input, expected;
    int line = 0;
};

std::vector<Row> readCases() {
    std::ifstream in(std::string(GP_TEST_DATA) + "/declension/cases.tsv");
    std::vector<Row> rows;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (number == 1 || line.empty() || line[0] == '#') continue;
        std::vector<std::string> f;
        std::stringstream s(line);
        for (std::string part; std::getline(s, part, '\t');) f.push_back(part);
        if (f.size() != 5) ADD_FAILURE() << "cases.tsv:" << number << ": not five columns";
        else rows.push_back({f[0], f[1], f[2], f[3], f[4], number});
    }
    return rows;
}

}  // namespace

TEST(Declension, AccuracyOnTheHandWrittenTable) {
    const std::vector<Row> rows = readCases();
    ASSERT_GE(rows.size(), 200u);
    std::map<std::string, std::pair<int, int>> score;  // kind -> right, all
    std::ostringstream misses;
    for (const Row& r : rows) {
        const auto c = gp::words::parseCase(r.caseName);
        ASSERT_TRUE(c.has_value()) << "cases.tsv:" << r.line << ": case '" << r.caseName << "'";
        // The gender is given for a name without a patronymic, as a template would give it.
        std::optional<Gender> g;
        const bool patronymic = std::count(r.input.begin(), r.input.end(), ' ') >= 2;
        if (r.kind == "name" && !patronymic) g = r.gender == "f" ? Gender::Feminine : Gender::Masculine;
        const std::string got = gp::words::inflect(r.input, *c, g);
        auto& [right, all] = score[r.kind];
        ++all;
        if (got == r.expected) ++right;
        else misses << "  cases.tsv:" << r.line << ": " << r.input << " (" << r.caseName << "): got «" << got
                    << "», expected «" << r.expected << "»\n";
    }
    int right = 0, all = 0;
    for (const auto& [kind, s] : score) {
        std::cout << "declension accuracy, " << kind << ": " << s.first << " of " << s.second << " ("
                  << 100.0 * s.first / s.second << "%)\n";
        right += s.first;
        all += s.second;
    }
    std::cout << "declension accuracy, all: " << right << " of " << all << " (" << 100.0 * right / all << "%)\n"
              << misses.str();
    EXPECT_GE(100.0 * right / all, 97.0) << misses.str();
}

TEST(Declension, NamesPhrasesAndTheirCapitals) {
    using gp::words::inflect;
    EXPECT_EQ(inflect("Воронцова Елена Сергеевна", Case::Genitive), "Воронцовой Елены Сергеевны");
    EXPECT_EQ(inflect("Генеральный директор", Case::Genitive), "Генерального директора");
    EXPECT_EQ(inflect("в лице", Case::Nominative), "в лице");
    EXPECT_EQ(inflect("Е. С. Воронцова", Case::Dative), "Е. С. Воронцовой");
    EXPECT_EQ(inflect("АВТОНОМНАЯ НЕКОММЕРЧЕСКАЯ ОРГАНИЗАЦИЯ «АГЕНТСТВО»", Case::Genitive),
              "АВТОНОМНОЙ НЕКОММЕРЧЕСКОЙ ОРГАНИЗАЦИИ «АГЕНТСТВО»");
    EXPECT_EQ(inflect("Шмидт", Case::Genitive, Gender::Feminine), "Шмидт");
    EXPECT_EQ(inflect("и.о. директора", Case::Dative), "и.о. директора");  // not a word: left as written
    EXPECT_EQ(inflect("IT-директор", Case::Genitive), "IT-директора");
    EXPECT_EQ(inflect("Шмидт", Case::Genitive, Gender::Masculine), "Шмидта");
}

TEST(Declension, AnOrganizationsOwnRulesExtendTheBuiltInOnes) {
    // «Дега», stressed on its last letter, does not decline; the rules for -а cannot know it.
    EXPECT_EQ(gp::words::inflect("Дега Эдгар", Case::Genitive, Gender::Masculine), "Деги Эдгара");
    gp::words::addDeclensionRules("# ours\n= surname m Дега  . . . . .\n", "declension.txt");
    EXPECT_EQ(gp::words::inflect("Дега Эдгар", Case::Genitive, Gender::Masculine), "Дега Эдгара");
    try {
        gp::words::addDeclensionRules("surname x ов а у а ым е\n", "declension.txt");
        FAIL() << "a rule for gender x was taken";
    } catch (const gp::Error& e) {
        EXPECT_EQ(e.line(), 1);
        EXPECT_NE(std::string(e.what()).find("declension.txt:1"), std::string::npos) << e.what();
    }
}
