#include "core/declension.h"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "core/utf8.h"

namespace gp::words {
namespace {

// The oblique cases in the order of a rule's forms; the nominative is the word itself.
int formIndex(Case c) { return static_cast<int>(c) - 1; }  // Genitive 0 … Prepositional 4

struct Rules {
    // part + gender -> ending -> forms (gen, dat, acc, ins, pre), "." unchanged, "-N..." replace
    std::map<std::string, std::map<std::u32string, std::array<std::string, 5>>> endings;
    // part + gender -> whole word -> forms as written
    std::map<std::string, std::map<std::u32string, std::array<std::string, 5>>> exceptions;
};

const char kBuiltIn[] =
#include "declension_names.inc"
    ;

std::shared_mutex gMutex;

void parseRules(Rules& rules, const std::string& text, const std::string& where) {
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const auto hash = line.find('#');
        if (hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        std::vector<std::string> w;
        for (std::string s; words >> s;) w.push_back(s);
        if (w.empty()) continue;
        const bool exception = w[0] == "=";
        if (exception) w.erase(w.begin());
        if (w.size() != 8 || (w[0] != "surname" && w[0] != "first" && w[0] != "middle") || (w[1] != "m" && w[1] != "f"))
            throw Error(ErrorKind::Config, where, number, 0,
                        "a declension rule is PART GENDER ENDING and five forms (genitive … prepositional), e.g. "
                        "\"surname f ова -1ой -1ой -1у -1ой -1ой\"; PART is surname, first or middle, GENDER m or f");
        std::array<std::string, 5> forms;
        for (int k = 0; k < 5; ++k) forms[static_cast<std::size_t>(k)] = w[static_cast<std::size_t>(3 + k)];
        const std::string key = w[0] + " " + w[1];
        const std::u32string word = utf8::decode(w[2]);
        if (exception) rules.exceptions[key][utf8::decode(utf8::lower(w[2]))] = forms;
        else rules.endings[key][word == U"*" ? U"" : word] = forms;
    }
}

Rules& rules() {
    static Rules r = [] {
        Rules built;
        parseRules(built, kBuiltIn, "data/declension/names.txt");
        return built;
    }();
    return r;
}

// A form of a rule applied to `word`: "." unchanged, "-N" drop N letters then add the rest,
// else add it.
std::u32string apply(const std::u32string& word, const std::string& form) {
    if (form == ".") return word;
    std::u32string out = word;
    std::string add = form;
    if (!add.empty() && add[0] == '-') {
        std::size_t i = 1, n = 0;
        while (i < add.size() && add[i] >= '0' && add[i] <= '9') n = n * 10 + static_cast<std::size_t>(add[i++] - '0');
        out.resize(out.size() >= n ? out.size() - n : 0);
        add = add.substr(i);
    }
    return out + utf8::decode(add);
}

// Keeps the capitalization of `original` on `declined` (written in lower case): the letters
// both share stay as they were («IT-директор» -> «IT-директора»), a word in capitals keeps its
// new ending in capitals, and a capital first letter stays one.
std::u32string withCaseOf(const std::u32string& original, std::u32string declined) {
    std::size_t k = 0;
    while (k < original.size() && k < declined.size() && utf8::toLower(original[k]) == utf8::toLower(declined[k])) ++k;
    std::u32string out = original.substr(0, k) + declined.substr(k);
    const bool hasLetter = std::any_of(original.begin(), original.end(), [](char32_t ch) { return utf8::toLower(ch) != ch; });
    const bool allCaps = original.size() > 1 && hasLetter && std::all_of(original.begin(), original.end(), [](char32_t ch) {
                             return utf8::toUpper(ch) == ch;
                         });
    if (allCaps)
        for (std::size_t i = k; i < out.size(); ++i) out[i] = utf8::toUpper(out[i]);
    else if (k == 0 && !original.empty() && !out.empty() && utf8::toUpper(original[0]) == original[0])
        out[0] = utf8::toUpper(out[0]);
    return out;
}

std::u32string lowerOf(const std::u32string& w) {
    std::u32string out = w;
    for (char32_t& ch : out) ch = utf8::toLower(ch);
    return out;
}

bool endsWith(const std::u32string& w, std::u32string_view end) {
    return w.size() >= end.size() && std::u32string_view(w).substr(w.size() - end.size()) == end;
}

// One part of a name, by the rules (shared lock held by the caller).
std::u32string namePart(const std::u32string& word, const std::string& part, Gender g, Case c) {
    if (c == Case::Nominative) return word;
    const std::string key = part + (g == Gender::Feminine ? " f" : " m");
    const Rules& r = rules();
    const std::u32string low = lowerOf(word);
    // A double-barrelled name declines each half («Римский-Корсаков»).
    if (const auto dash = word.find(U'-'); dash != std::u32string::npos && dash > 0 && dash + 1 < word.size())
        return namePart(word.substr(0, dash), part, g, c) + U"-" + namePart(word.substr(dash + 1), part, g, c);
    if (auto ex = r.exceptions.find(key); ex != r.exceptions.end())
        if (auto it = ex->second.find(low); it != ex->second.end())
            return it->second[static_cast<std::size_t>(formIndex(c))] == "."
                       ? word
                       : withCaseOf(word, utf8::decode(it->second[static_cast<std::size_t>(formIndex(c))]));
    const auto group = r.endings.find(key);
    if (group == r.endings.end()) return word;
    const std::array<std::string, 5>* best = nullptr;
    std::size_t length = 0;
    for (const auto& [ending, forms] : group->second)
        if ((ending.empty() || endsWith(low, ending)) && (best == nullptr || ending.size() > length)) {
            best = &forms;
            length = ending.size();
        }
    if (!best) return word;
    return withCaseOf(word, apply(low, (*best)[static_cast<std::size_t>(formIndex(c))]));
}

bool isInitial(const std::u32string& w) {  // "Е." or "Е.С."
    return w.size() >= 2 && w.back() == U'.' && utf8::toUpper(w[0]) == w[0] && utf8::toLower(w[0]) != w[0];
}

bool capitalized(const std::u32string& w) {
    if (w.empty() || utf8::toUpper(w[0]) != w[0] || utf8::toLower(w[0]) == w[0]) return false;
    for (std::size_t i = 1; i < w.size(); ++i)
        if (w[i] != U'-' && utf8::toLower(w[i]) != w[i] && w[i - 1] != U'-') return false;
    return true;
}

std::optional<Gender> patronymicGender(const std::u32string& w) {
    const std::u32string l = lowerOf(w);
    if (endsWith(l, U"ович") || endsWith(l, U"евич") || endsWith(l, U"ич")) return Gender::Masculine;
    if (endsWith(l, U"овна") || endsWith(l, U"евна") || endsWith(l, U"ична") || endsWith(l, U"инична"))
        return Gender::Feminine;
    return std::nullopt;
}

constexpr std::u32string_view kMaleNamesInA[] = {U"никита", U"илья",   U"кузьма", U"фома",  U"лука",
                                                  U"данила", U"гаврила", U"савва",  U"миша",  U"саша"};

Gender firstNameGender(const std::u32string& w) {
    const std::u32string l = lowerOf(w);
    for (auto m : kMaleNamesInA)
        if (l == m) return Gender::Masculine;
    if (endsWith(l, U"а") || endsWith(l, U"я")) return Gender::Feminine;
    if (l == U"любовь" || l == U"нинель" || l == U"адель") return Gender::Feminine;
    return Gender::Masculine;
}

Gender surnameGender(const std::u32string& w) {
    const std::u32string l = lowerOf(w);
    for (auto end : {U"ова", U"ева", U"ёва", U"ина", U"ына", U"ая"})
        if (endsWith(l, end)) return Gender::Feminine;
    return Gender::Masculine;
}

// A person's name when the words are capitalized (initials allowed); nullopt otherwise.
std::optional<std::u32string> asName(const std::vector<std::u32string>& words, Case c, std::optional<Gender> gender) {
    if (words.empty() || words.size() > 3) return std::nullopt;
    std::vector<std::size_t> full;  // indices of words that are not initials
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (isInitial(words[i])) continue;
        if (!capitalized(words[i])) return std::nullopt;
        full.push_back(i);
    }
    if (full.empty()) return std::nullopt;
    // Roles: surname, first, middle.
    std::vector<std::string> role(words.size(), "initial");
    std::optional<Gender> g = gender;
    if (full.size() == 1) {
        if (words.size() == 1 && !gender) return std::nullopt;  // «Директор» is no name
        role[full[0]] = "surname";
        if (!g) g = surnameGender(words[full[0]]);
    } else if (full.size() == 2 && words.size() == 2) {
        role = {"surname", "first"};
        if (!g) g = firstNameGender(words[1]);
    } else if (full.size() == 3) {
        if (auto pg = patronymicGender(words[2])) {
            role = {"surname", "first", "middle"};
            if (!g) g = pg;
        } else if (auto pg1 = patronymicGender(words[1])) {
            role = {"first", "middle", "surname"};
            if (!g) g = pg1;
        } else {
            return std::nullopt;
        }
    } else {
        return std::nullopt;
    }
    std::u32string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i) out += U' ';
        out += role[i] == "initial" ? words[i] : namePart(words[i], role[i], *g, c);
    }
    return out;
}

// Nouns that name organizations: inanimate (the accusative of a masculine one is its nominative).
constexpr std::u32string_view kOrganizationNouns[] = {
    U"организация", U"общество", U"фонд",      U"учреждение", U"партнёрство", U"партнерство", U"ассоциация",
    U"союз",        U"министерство", U"комитет", U"центр",     U"компания",   U"корпорация", U"институт",
    U"университет", U"музей",   U"библиотека", U"агентство", U"объединение", U"управление", U"департамент",
    U"предприятие", U"кооператив", U"товарищество", U"движение", U"палата",   U"служба",     U"школа",
    U"колледж",     U"театр",   U"клуб",       U"фабрика",    U"завод",      U"банк",       U"орган"};

bool hard(char32_t ch) { return ch == U'г' || ch == U'к' || ch == U'х'; }
bool hushing(char32_t ch) { return ch == U'ж' || ch == U'ш' || ch == U'ч' || ch == U'щ'; }

// An adjective's ending for its gender and the case; animate: a masculine accusative is its genitive.
std::optional<std::u32string> adjective(const std::u32string& low, Case c, bool animate, Gender& g) {
    if (low.size() < 3) return std::nullopt;
    const std::u32string stem = low.substr(0, low.size() - 2);
    const std::u32string end = low.substr(low.size() - 2);
    const char32_t before = stem.back();
    const int k = static_cast<int>(c);
    auto pick = [&](std::array<std::u32string_view, 6> forms) { return stem + std::u32string(forms[static_cast<std::size_t>(k)]); };
    if (end == U"ый" || end == U"ой" || end == U"ий") {
        g = Gender::Masculine;
        const bool soft = end == U"ий" && !hard(before);
        const std::u32string_view gen = soft ? U"его" : U"ого";
        const std::u32string_view acc = animate ? gen : std::u32string_view(end);
        if (soft) return pick({end, U"его", U"ему", acc, U"им", U"ем"});
        // After г, к, х: и, never ы («Трубецким»).
        if (end == U"ий" || hard(before)) return pick({end, U"ого", U"ому", acc, U"им", U"ом"});
        return pick({end, U"ого", U"ому", acc, U"ым", U"ом"});
    }
    if (end == U"ая") {
        g = Gender::Feminine;
        if (hushing(before)) return pick({U"ая", U"ей", U"ей", U"ую", U"ей", U"ей"});
        return pick({U"ая", U"ой", U"ой", U"ую", U"ой", U"ой"});
    }
    if (end == U"яя") {
        g = Gender::Feminine;
        return pick({U"яя", U"ей", U"ей", U"юю", U"ей", U"ей"});
    }
    if (end == U"ое") {
        g = Gender::Neuter;
        return pick({U"ое", U"ого", U"ому", U"ое", hard(before) ? U"им" : U"ым", U"ом"});  // «некоммерческим»
    }
    if (end == U"ее") {
        g = Gender::Neuter;
        return pick({U"ее", U"его", U"ему", U"ее", U"им", U"ем"});
    }
    return std::nullopt;
}

// The head noun of a phrase in case c.
std::u32string noun(const std::u32string& low, Case c, bool animate) {
    const int k = static_cast<int>(c);
    auto with = [&](std::size_t drop, std::array<std::u32string_view, 6> forms) {
        return low.substr(0, low.size() - drop) + std::u32string(forms[static_cast<std::size_t>(k)]);
    };
    if (low.empty()) return low;
    // Nouns whose ending takes the stress: «секретарём», not «секретарем».
    if (low == U"секретарь" || low == U"вратарь" || low == U"звонарь")
        return with(1, {U"ь", U"я", U"ю", animate ? U"я" : U"ь", U"ём", U"е"});
    const char32_t last = low.back();
    const char32_t before = low.size() > 1 ? low[low.size() - 2] : U' ';
    if (endsWith(low, U"ия")) return with(1, {U"я", U"и", U"и", U"ю", U"ей", U"и"});
    if (endsWith(low, U"ие")) return with(1, {U"е", U"я", U"ю", U"е", U"ем", U"и"});
    if (last == U'а') {
        const std::u32string_view gen = hard(before) || hushing(before) ? U"и" : U"ы";
        const std::u32string_view ins = hushing(before) || before == U'ц' ? U"ей" : U"ой";
        return with(1, {U"а", gen, U"е", U"у", ins, U"е"});
    }
    if (last == U'я') return with(1, {U"я", U"и", U"е", U"ю", U"ей", U"е"});
    if (last == U'о') return with(1, {U"о", U"а", U"у", U"о", U"ом", U"е"});
    if (last == U'е') return with(1, {U"е", U"я", U"ю", U"е", U"ем", U"е"});
    if (last == U'ь') return with(1, {U"ь", U"я", U"ю", animate ? U"я" : U"ь", U"ем", U"е"});
    if (last == U'й') return with(1, {U"й", U"я", U"ю", animate ? U"я" : U"й", U"ем", U"е"});
    const std::u32string_view ins = last == U'щ' || last == U'ж' || last == U'ш' ? U"ем" : U"ом";
    return with(0, {U"", U"а", U"у", animate ? U"а" : U"", ins, U"е"});
}

std::u32string phrase(const std::vector<std::u32string>& words, Case c) {
    // The head noun: the first word that is not an adjective; it decides animacy.
    std::size_t head = words.size();
    for (std::size_t i = 0; i < words.size(); ++i) {
        Gender g = Gender::Masculine;
        const std::u32string low = lowerOf(words[i]);
        if (low.empty() || low[0] == U'«' || low[0] == U'"' || low[0] == U'(') break;
        if (!adjective(low, Case::Genitive, true, g)) {
            head = i;
            break;
        }
    }
    bool animate = true;
    if (head < words.size()) {
        const std::u32string low = lowerOf(words[head]);
        for (auto org : kOrganizationNouns)
            if (low == org) animate = false;
    }
    std::u32string out;
    bool declining = true;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i) out += U' ';
        const std::u32string low = lowerOf(words[i]);
        if (!declining || low.empty() || low[0] == U'«' || low[0] == U'"' || low[0] == U'(') {
            declining = false;
            out += words[i];
            continue;
        }
        Gender g = Gender::Masculine;
        if (i < head) {
            if (auto a = adjective(low, c, animate, g)) {
                out += withCaseOf(words[i], *a);
                continue;
            }
        }
        // A head that is not a word of letters («и.о.», «№2») is left as written.
        const bool letters = std::all_of(low.begin(), low.end(), [](char32_t ch) {
            return ch == U'-' || (ch >= U'а' && ch <= U'я') || ch == U'ё' || (ch >= U'a' && ch <= U'z');
        });
        if (i == head && letters) out += withCaseOf(words[i], noun(low, c, animate));
        else out += words[i];
        declining = i < head;
    }
    return out;
}

}  // namespace

std::string inflect(const std::string& text, Case c, std::optional<Gender> gender) {
    std::vector<std::u32string> words;
    std::u32string word;
    for (char32_t ch : utf8::decode(text)) {
        if (ch == U' ' || ch == U'\t' || ch == U'\n' || ch == U'\u00A0') {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
        } else {
            word.push_back(ch);
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    if (words.empty() || c == Case::Nominative) return text;
    std::shared_lock lock(gMutex);
    if (auto name = asName(words, c, gender)) return utf8::encode(*name);
    return utf8::encode(phrase(words, c));
}

void addDeclensionRules(const std::string& text, const std::string& where) {
    Rules added;
    parseRules(added, text, where);  // a file with a mistake changes nothing
    (void)rules();                   // the built-in ones first, before the lock
    std::unique_lock lock(gMutex);
    for (auto& [key, map] : added.endings)
        for (auto& [ending, forms] : map) rules().endings[key][ending] = forms;
    for (auto& [key, map] : added.exceptions)
        for (auto& [w, forms] : map) rules().exceptions[key][w] = forms;
}

}  // namespace gp::words
