#include "core/number_words.h"

#include <fmt/format.h>

#include <array>
#include <stdexcept>
#include <vector>

#include "core/format.h"

namespace gp::words {
namespace {

using Forms = std::array<const char*, 6>;  // in the order of Case

int idx(Case c) { return static_cast<int>(c); }

// 1..9, masculine (1 and 2 have their own feminine and neuter forms below).
constexpr Forms kOnes[10] = {
    Forms{"", "", "", "", "", ""},
    {"один", "одного", "одному", "один", "одним", "одном"},
    {"два", "двух", "двум", "два", "двумя", "двух"},
    {"три", "трёх", "трём", "три", "тремя", "трёх"},
    {"четыре", "четырёх", "четырём", "четыре", "четырьмя", "четырёх"},
    {"пять", "пяти", "пяти", "пять", "пятью", "пяти"},
    {"шесть", "шести", "шести", "шесть", "шестью", "шести"},
    {"семь", "семи", "семи", "семь", "семью", "семи"},
    {"восемь", "восьми", "восьми", "восемь", "восемью", "восьми"},
    {"девять", "девяти", "девяти", "девять", "девятью", "девяти"},
};
constexpr Forms kOneFeminine = {"одна", "одной", "одной", "одну", "одной", "одной"};
constexpr Forms kOneNeuter = {"одно", "одного", "одному", "одно", "одним", "одном"};
constexpr Forms kTwoFeminine = {"две", "двух", "двум", "две", "двумя", "двух"};

constexpr Forms kTeens[10] = {
    Forms{"десять", "десяти", "десяти", "десять", "десятью", "десяти"},
    {"одиннадцать", "одиннадцати", "одиннадцати", "одиннадцать", "одиннадцатью", "одиннадцати"},
    {"двенадцать", "двенадцати", "двенадцати", "двенадцать", "двенадцатью", "двенадцати"},
    {"тринадцать", "тринадцати", "тринадцати", "тринадцать", "тринадцатью", "тринадцати"},
    {"четырнадцать", "четырнадцати", "четырнадцати", "четырнадцать", "четырнадцатью", "четырнадцати"},
    {"пятнадцать", "пятнадцати", "пятнадцати", "пятнадцать", "пятнадцатью", "пятнадцати"},
    {"шестнадцать", "шестнадцати", "шестнадцати", "шестнадцать", "шестнадцатью", "шестнадцати"},
    {"семнадцать", "семнадцати", "семнадцати", "семнадцать", "семнадцатью", "семнадцати"},
    {"восемнадцать", "восемнадцати", "восемнадцати", "восемнадцать", "восемнадцатью", "восемнадцати"},
    {"девятнадцать", "девятнадцати", "девятнадцати", "девятнадцать", "девятнадцатью", "девятнадцати"},
};

constexpr Forms kTens[10] = {
    Forms{"", "", "", "", "", ""},
    {"", "", "", "", "", ""},  // the teens are above
    {"двадцать", "двадцати", "двадцати", "двадцать", "двадцатью", "двадцати"},
    {"тридцать", "тридцати", "тридцати", "тридцать", "тридцатью", "тридцати"},
    {"сорок", "сорока", "сорока", "сорок", "сорока", "сорока"},
    {"пятьдесят", "пятидесяти", "пятидесяти", "пятьдесят", "пятьюдесятью", "пятидесяти"},
    {"шестьдесят", "шестидесяти", "шестидесяти", "шестьдесят", "шестьюдесятью", "шестидесяти"},
    {"семьдесят", "семидесяти", "семидесяти", "семьдесят", "семьюдесятью", "семидесяти"},
    {"восемьдесят", "восьмидесяти", "восьмидесяти", "восемьдесят", "восемьюдесятью", "восьмидесяти"},
    {"девяносто", "девяноста", "девяноста", "девяносто", "девяноста", "девяноста"},
};

constexpr Forms kHundreds[10] = {
    Forms{"", "", "", "", "", ""},
    {"сто", "ста", "ста", "сто", "ста", "ста"},
    {"двести", "двухсот", "двумстам", "двести", "двумястами", "двухстах"},
    {"триста", "трёхсот", "трёмстам", "триста", "тремястами", "трёхстах"},
    {"четыреста", "четырёхсот", "четырёмстам", "четыреста", "четырьмястами", "четырёхстах"},
    {"пятьсот", "пятисот", "пятистам", "пятьсот", "пятьюстами", "пятистах"},
    {"шестьсот", "шестисот", "шестистам", "шестьсот", "шестьюстами", "шестистах"},
    {"семьсот", "семисот", "семистам", "семьсот", "семьюстами", "семистах"},
    {"восемьсот", "восьмисот", "восьмистам", "восемьсот", "восемьюстами", "восьмистах"},
    {"девятьсот", "девятисот", "девятистам", "девятьсот", "девятьюстами", "девятистах"},
};

constexpr Forms kZero = {"ноль", "ноля", "нолю", "ноль", "нолём", "ноле"};

// A noun counted by a numeral: its singular and plural in every case.
struct Noun {
    Forms singular, plural;
    Gender gender;
};

constexpr Noun kThousand = {{"тысяча", "тысячи", "тысяче", "тысячу", "тысячей", "тысяче"},
                            {"тысячи", "тысяч", "тысячам", "тысячи", "тысячами", "тысячах"},
                            Gender::Feminine};
constexpr Noun kMillion = {{"миллион", "миллиона", "миллиону", "миллион", "миллионом", "миллионе"},
                           {"миллионы", "миллионов", "миллионам", "миллионы", "миллионами", "миллионах"},
                           Gender::Masculine};
constexpr Noun kBillion = {{"миллиард", "миллиарда", "миллиарду", "миллиард", "миллиардом", "миллиарде"},
                           {"миллиарды", "миллиардов", "миллиардам", "миллиарды", "миллиардами", "миллиардах"},
                           Gender::Masculine};
constexpr Noun kTrillion = {{"триллион", "триллиона", "триллиону", "триллион", "триллионом", "триллионе"},
                            {"триллионы", "триллионов", "триллионам", "триллионы", "триллионами", "триллионах"},
                            Gender::Masculine};
constexpr Noun kQuadrillion = {
    {"квадриллион", "квадриллиона", "квадриллиону", "квадриллион", "квадриллионом", "квадриллионе"},
    {"квадриллионы", "квадриллионов", "квадриллионам", "квадриллионы", "квадриллионами", "квадриллионах"},
    Gender::Masculine};
constexpr Noun kQuintillion = {
    {"квинтиллион", "квинтиллиона", "квинтиллиону", "квинтиллион", "квинтиллионом", "квинтиллионе"},
    {"квинтиллионы", "квинтиллионов", "квинтиллионам", "квинтиллионы", "квинтиллионами", "квинтиллионах"},
    Gender::Masculine};
constexpr const Noun* kScales[] = {&kThousand, &kMillion, &kBillion, &kTrillion, &kQuadrillion, &kQuintillion};

constexpr Noun kRouble = {{"рубль", "рубля", "рублю", "рубль", "рублём", "рубле"},
                          {"рубли", "рублей", "рублям", "рубли", "рублями", "рублях"},
                          Gender::Masculine};
constexpr Noun kKopeck = {{"копейка", "копейки", "копейке", "копейку", "копейкой", "копейке"},
                          {"копейки", "копеек", "копейкам", "копейки", "копейками", "копейках"},
                          Gender::Feminine};

// 0 for 1, 21, 101; 1 for 2–4, 22–24; 2 for 0, 5–20, 25–30, 111 (format::pluralForm).
int agreement(std::uint64_t n) { return format::pluralForm(static_cast<std::int64_t>(n % 100)); }

// The noun after the number n: in the nominative and accusative the numeral governs it (1:
// the case itself, 2–4: genitive singular, 5 and more: genitive plural); in the other cases it
// takes the numeral's case, singular after 1.
const char* nounAfter(const Noun& noun, std::uint64_t n, Case c) {
    const int a = agreement(n);
    if (c == Case::Nominative || c == Case::Accusative) {
        if (a == 0) return noun.singular[idx(c)];
        return a == 1 ? noun.singular[idx(Case::Genitive)] : noun.plural[idx(Case::Genitive)];
    }
    return a == 0 ? noun.singular[idx(c)] : noun.plural[idx(c)];
}

void add(std::string& out, const char* word) {
    if (!*word) return;
    if (!out.empty()) out += ' ';
    out += word;
}

// 1..999 in case c and gender g, appended to `out`.
void triad(int n, Case c, Gender g, std::string& out) {
    add(out, kHundreds[n / 100][idx(c)]);
    const int rest = n % 100;
    if (rest >= 10 && rest < 20) {
        add(out, kTeens[rest - 10][idx(c)]);
        return;
    }
    add(out, kTens[rest / 10][idx(c)]);
    const int one = rest % 10;
    if (one == 1 && g == Gender::Feminine) add(out, kOneFeminine[idx(c)]);
    else if (one == 1 && g == Gender::Neuter) add(out, kOneNeuter[idx(c)]);
    else if (one == 2 && g == Gender::Feminine) add(out, kTwoFeminine[idx(c)]);
    else add(out, kOnes[one][idx(c)]);
}

std::string cardinalOf(std::uint64_t v, Case c, Gender g) {
    if (v == 0) return kZero[idx(c)];
    int groups[7] = {};
    int count = 0;
    while (v > 0) {
        groups[count++] = static_cast<int>(v % 1000);
        v /= 1000;
    }
    std::string out;
    for (int k = count - 1; k >= 0; --k) {
        const int part = groups[k];
        if (part == 0) continue;
        if (k == 0) {
            triad(part, c, g, out);
        } else {
            const Noun& scale = *kScales[k - 1];
            triad(part, c, scale.gender, out);
            add(out, nounAfter(scale, static_cast<std::uint64_t>(part), c));
        }
    }
    return out;
}

// Ordinal endings of an adjective by gender and case: hard stems (первый), stressed stems
// (второй: only the masculine nominative and accusative differ), and «третий».
enum class Stem { Hard, Stressed, Third };
constexpr Forms kHardMasculine = {"ый", "ого", "ому", "ый", "ым", "ом"};
constexpr Forms kStressedMasculine = {"ой", "ого", "ому", "ой", "ым", "ом"};
constexpr Forms kHardFeminine = {"ая", "ой", "ой", "ую", "ой", "ой"};
constexpr Forms kHardNeuter = {"ое", "ого", "ому", "ое", "ым", "ом"};
constexpr Forms kThirdMasculine = {"ий", "ьего", "ьему", "ий", "ьим", "ьем"};
constexpr Forms kThirdFeminine = {"ья", "ьей", "ьей", "ью", "ьей", "ьей"};
constexpr Forms kThirdNeuter = {"ье", "ьего", "ьему", "ье", "ьим", "ьем"};

std::string adjective(const std::string& stem, Stem kind, Case c, Gender g) {
    const Forms* endings = nullptr;
    if (kind == Stem::Third) endings = g == Gender::Masculine ? &kThirdMasculine : g == Gender::Feminine ? &kThirdFeminine : &kThirdNeuter;
    else if (g == Gender::Feminine) endings = &kHardFeminine;
    else if (g == Gender::Neuter) endings = &kHardNeuter;
    else endings = kind == Stem::Stressed ? &kStressedMasculine : &kHardMasculine;
    return stem + (*endings)[idx(c)];
}

struct OrdinalStem {
    const char* stem;
    Stem kind;
};
constexpr OrdinalStem kOrdinalOnes[10] = {{"", Stem::Hard},       {"перв", Stem::Hard},     {"втор", Stem::Stressed},
                                          {"трет", Stem::Third},  {"четвёрт", Stem::Hard},  {"пят", Stem::Hard},
                                          {"шест", Stem::Stressed}, {"седьм", Stem::Stressed}, {"восьм", Stem::Stressed},
                                          {"девят", Stem::Hard}};
constexpr const char* kOrdinalTeens[10] = {"десят",      "одиннадцат", "двенадцат",  "тринадцат",   "четырнадцат",
                                           "пятнадцат",  "шестнадцат", "семнадцат",  "восемнадцат", "девятнадцат"};
constexpr OrdinalStem kOrdinalTens[10] = {{"", Stem::Hard},         {"", Stem::Hard},          {"двадцат", Stem::Hard},
                                          {"тридцат", Stem::Hard},  {"сороков", Stem::Stressed}, {"пятидесят", Stem::Hard},
                                          {"шестидесят", Stem::Hard}, {"семидесят", Stem::Hard}, {"восьмидесят", Stem::Hard},
                                          {"девяност", Stem::Hard}};
constexpr const char* kOrdinalScales[] = {"тысячн", "миллионн", "миллиардн", "триллионн", "квадриллионн", "квинтиллионн"};

// The genitive of n (1..999) written as one word, as it starts a compound ordinal
// ("двух" in «двухтысячный», "двадцатиодно" in «двадцатиоднотысячный»).
std::string joinedGenitive(int n) {
    std::string words;
    triad(n, Case::Genitive, Gender::Masculine, words);
    if (n % 10 == 1 && n % 100 != 11) words.replace(words.size() - std::string("одного").size(), std::string::npos, "одно");
    std::string out;
    for (char ch : words)
        if (ch != ' ') out += ch;
    return out;
}

}  // namespace

std::optional<Case> parseCase(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    struct Entry {
        std::string_view full, shortName;
        Case c;
    };
    static constexpr Entry kCases[] = {{"именительный", "им", Case::Nominative},  {"родительный", "род", Case::Genitive},
                                       {"дательный", "дат", Case::Dative},        {"винительный", "вин", Case::Accusative},
                                       {"творительный", "твор", Case::Instrumental}, {"предложный", "пред", Case::Prepositional}};
    for (const auto& e : kCases)
        if (name == e.full || name == e.shortName) return e.c;
    return std::nullopt;
}

std::optional<Gender> parseGender(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name == "м" || name == "муж" || name == "мужской") return Gender::Masculine;
    if (name == "ж" || name == "жен" || name == "женский") return Gender::Feminine;
    if (name == "с" || name == "ср" || name == "средний") return Gender::Neuter;
    return std::nullopt;
}

std::string cardinal(std::int64_t n, Case c, Gender g) {
    if (n >= 0) return cardinalOf(static_cast<std::uint64_t>(n), c, g);
    return "минус " + cardinalOf(0ULL - static_cast<std::uint64_t>(n), c, g);
}

std::string amount(Decimal value, Case c) {
    const std::int64_t kopecksTotal = value.rounded(2).units() / 100;  // units are 1/10000
    const bool negative = kopecksTotal < 0;
    const std::uint64_t a =
        negative ? 0ULL - static_cast<std::uint64_t>(kopecksTotal) : static_cast<std::uint64_t>(kopecksTotal);
    const std::uint64_t roubles = a / 100;
    const auto kopecks = a % 100;
    std::string out = negative ? "минус " : "";
    out += cardinalOf(roubles, c, Gender::Masculine);
    out += ' ';
    out += nounAfter(kRouble, roubles, c);
    out += fmt::format(" {:02} ", kopecks);
    out += nounAfter(kKopeck, kopecks, c);
    return out;
}

std::string ordinal(std::int64_t n, Case c, Gender g) {
    if (n < 1) throw std::invalid_argument("an ordinal needs a number of 1 or more");
    const auto v = static_cast<std::uint64_t>(n);
    std::uint64_t head = 0;  // the part said as a cardinal, in the nominative
    std::string last;
    if (const std::uint64_t r = v % 100; r != 0) {
        if (r >= 10 && r < 20) {
            last = adjective(kOrdinalTeens[r - 10], Stem::Hard, c, g);
            head = v - r;
        } else if (r % 10 == 0) {
            last = adjective(kOrdinalTens[r / 10].stem, kOrdinalTens[r / 10].kind, c, g);
            head = v - r;
        } else {
            last = adjective(kOrdinalOnes[r % 10].stem, kOrdinalOnes[r % 10].kind, c, g);
            head = v - r % 10;
        }
    } else if (const std::uint64_t h = v % 1000; h != 0) {
        last = adjective(h == 100 ? std::string("сот") : std::string(kHundreds[h / 100][idx(Case::Genitive)]), Stem::Hard,
                         c, g);  // «сотый», «двухсотый»
        head = v - h;
    } else {
        std::uint64_t scale = 1000;
        int k = 0;
        while (v % (scale * 1000) == 0 && k + 1 < 6) {
            scale *= 1000;
            ++k;
        }
        const int multiplier = static_cast<int>((v / scale) % 1000);
        last = adjective((multiplier == 1 ? std::string() : joinedGenitive(multiplier)) + kOrdinalScales[k], Stem::Hard, c,
                         g);
        head = v - static_cast<std::uint64_t>(multiplier) * scale;
    }
    return head ? cardinalOf(head, Case::Nominative, Gender::Masculine) + " " + last : last;
}

}  // namespace gp::words
