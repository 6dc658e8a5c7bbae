#include "xlsx/xlsx_renderer.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <string_view>

#include "core/error.h"
#include "core/utf8.h"
#include "xlsx/chart_sheet.h"
#include "xlsx/flow_sheet.h"
#include "xlsx/sheet.h"
#include "xlsx/table_sheet.h"
#include "xlsx/workbook.h"

namespace gp::xlsx {
namespace {

using detail::FlowSheet;
using detail::Formats;
using detail::SheetWriter;
using detail::Workbook;

constexpr std::size_t kMaxSheetName = 31;  // Excel's limit, in UTF-16 units

// ----- sheet names -----------------------------------------------------------------------

bool trimmable(char32_t c) { return c == U' ' || c == U'\'' || c == 0xA0; }

std::u32string trimmed(std::u32string s) {
    while (!s.empty() && trimmable(s.back())) s.pop_back();
    std::size_t start = 0;
    while (start < s.size() && trimmable(s[start])) ++start;
    return s.substr(start);
}

// The longest prefix of `s` that is at most `units` UTF-16 units, trimmed at the end.
std::u32string shortened(const std::u32string& s, std::size_t units) {
    std::u32string out;
    std::size_t used = 0;
    for (char32_t c : s) {
        std::size_t n = c > 0xFFFF ? 2 : 1;
        if (used + n > units) break;
        out.push_back(c);
        used += n;
    }
    return trimmed(std::move(out));
}

// ----- document properties ---------------------------------------------------------------

void setProperties(lxw_workbook* wb, const model::Metadata& meta, const std::string& author,
                   const std::string& company) {
    // libxlsxwriter takes char* but copies the strings; the arguments outlive the call.
    auto text = [](const std::string& s) { return s.empty() ? nullptr : const_cast<char*>(s.c_str()); };
    lxw_doc_properties props{};
    props.title = text(meta.title);
    props.subject = text(meta.subject);
    props.author = text(author);
    props.keywords = text(meta.keywords);
    props.company = text(company);
    // 0 would make libxlsxwriter stamp the current time; one second past the epoch keeps the
    // output reproducible.
    props.created = meta.created == 0 ? 1 : static_cast<std::time_t>(meta.created);
    detail::check(workbook_set_properties(wb, &props), "cannot set the XLSX document properties");
}


// ----- the workbook, block by block ------------------------------------------------------

bool included(const model::Block& block) { return block.target != model::Target::PdfOnly; }

const model::Heading* sheetHeading(const model::Block& block) {
    const auto* heading = std::get_if<model::Heading>(&block.content);
    return heading != nullptr && !heading->sheet.empty() ? heading : nullptr;
}

// A table with a sheet of its own: the template names one.
const model::Table* ownSheetTable(const model::Block& block) {
    const auto* table = std::get_if<model::Table>(&block.content);
    return table != nullptr && !table->sheet.empty() ? table : nullptr;
}

// Content of a running sheet: everything but tables on sheets of their own and page breaks.
bool runningContent(const model::Block& block) {
    return ownSheetTable(block) == nullptr && !std::holds_alternative<model::PageBreak>(block.content);
}

bool needsConstantMemory(const model::Document& doc, const Options& options) {
    for (const model::Block& block : doc.blocks) {
        if (!included(block)) continue;
        if (const auto* table = std::get_if<model::Table>(&block.content))
            if (table->stream || table->rows.size() > options.constantMemoryRows) return true;
    }
    return false;
}

class Builder {
public:
    Builder(Workbook& workbook, const model::Document& doc, const Options& options)
        : workbook_(workbook), formats_(workbook.get()), doc_(doc), options_(options) {
        for (const model::Block& block : doc.blocks)
            if (included(block)) blocks_.push_back(&block);
    }

    void build() {
        // The first running sheet, when there is content for it before the first sheet heading.
        std::size_t end = segmentEnd(0);
        bool running = false;
        for (std::size_t i = 0; i < end; ++i) running = running || runningContent(*blocks_[i]);
        if (running) openFlow(doc_.sheet, 0, end);

        for (std::size_t i = 0; i < blocks_.size(); ++i) {
            const model::Block& block = *blocks_[i];
            if (const model::Heading* heading = sheetHeading(block)) {
                closeFlow();
                openFlow(heading->sheet, i, segmentEnd(i + 1));
                flow_->add(*heading);
            } else if (const model::Table* table = ownSheetTable(block)) {
                // sheet="…": the table on a sheet of its own; the running sheet says where.
                SheetWriter sheet = newSheet(table->sheet);
                detail::renderTable(sheet, doc_, *table, options_.measureRows);
                if (flow_)
                    flow_->addReference(
                        "Таблица" + (table->caption.empty() ? std::string() : " «" + table->caption + "»"), sheet.name());
            } else if (const auto* chart = std::get_if<model::Chart>(&block.content)) {
                ++charts_;
                lxw_chart* native = nullptr;
                if (detail::chartHasData(*chart)) {
                    std::string wanted = !chart->sheet.empty()   ? chart->sheet
                                         : !chart->title.empty() ? chart->title
                                                                 : "Диаграмма " + std::to_string(charts_);
                    SheetWriter data = newSheet(wanted);
                    native = detail::writeChart(workbook_.get(), data, doc_, *chart);
                    // sheet="…": the chart goes with its data, on the sheet the template names;
                    // the running sheet says where it is, with a link to it.
                    if (!chart->sheet.empty()) {
                        detail::placeChartBesideData(data, native, *chart);
                        if (flow_)
                            flow_->addReference(
                                "Диаграмма" + (chart->title.empty() ? std::string() : " «" + chart->title + "»"),
                                data.name());
                        continue;
                    }
                }
                if (flow_) flow_->addChart(native, *chart);
            } else if (flow_) {
                std::visit(
                    [this](const auto& content) {
                        using T = std::decay_t<decltype(content)>;
                        if constexpr (!std::is_same_v<T, model::Chart>) flow_->add(content);
                    },
                    block.content);
            }
        }
        closeFlow();
        if (names_.empty()) {  // never an empty workbook
            openFlow(doc_.sheet, 0, 0);
            closeFlow();
        }
    }

private:
    // One past the last block of the running sheet that starts at `from`.
    std::size_t segmentEnd(std::size_t from) const {
        std::size_t i = from;
        while (i < blocks_.size() && sheetHeading(*blocks_[i]) == nullptr) ++i;
        return i;
    }

    SheetWriter newSheet(const std::string& wanted) {
        names_.push_back(sheetName(wanted, names_));
        SheetWriter sheet(workbook_.addWorksheet(names_.back()), names_.back(), formats_);
        sheet.warnings = options_.warnings;
        return sheet;
    }

    // A running sheet for blocks [first, end): their field lists and tables set its columns.
    void openFlow(const std::string& wanted, std::size_t first, std::size_t end) {
        std::vector<const model::FieldList*> fields;
        std::vector<const model::Table*> tables;
        for (std::size_t i = first; i < end; ++i) {
            const model::Block& block = *blocks_[i];
            if (const auto* list = std::get_if<model::FieldList>(&block.content)) fields.push_back(list);
            if (const auto* table = std::get_if<model::Table>(&block.content); table && ownSheetTable(block) == nullptr)
                tables.push_back(table);
        }
        flow_ = std::make_unique<FlowSheet>(newSheet(wanted), doc_, fields, tables, options_.measureRows);
    }

    void closeFlow() {
        if (flow_) flow_->finish();
        flow_.reset();
    }

    Workbook& workbook_;
    Formats formats_;
    const model::Document& doc_;
    const Options& options_;
    std::vector<const model::Block*> blocks_;  // the blocks for XLSX, in order
    std::vector<std::string> names_;           // sheets so far
    std::unique_ptr<FlowSheet> flow_;          // the running sheet being written
    int charts_ = 0;
};

}  // namespace

std::string sheetName(std::string_view wanted, const std::vector<std::string>& taken) {
    static constexpr std::u32string_view kForbidden = U"[]:*?/\\";
    // A character Excel forbids becomes a dash: "График: показатели" -> "График - показатели",
    // "Итоги 2022/2023" -> "Итоги 2022-2023".
    std::u32string name;
    const std::u32string in = utf8::decode(wanted);
    for (std::size_t i = 0; i < in.size(); ++i) {
        char32_t c = in[i];
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) c = U' ';
        else if (kForbidden.find(c) != std::u32string_view::npos) {
            const bool spaced = i + 1 < in.size() && in[i + 1] == U' ' && !name.empty() && name.back() != U' ';
            if (spaced) name.push_back(U' ');
            c = U'-';
        }
        name.push_back(c);
    }
    name = trimmed(std::move(name));
    if (name.empty()) name = U"Лист";

    std::vector<std::string> lowered;
    lowered.reserve(taken.size() + 1);
    for (const std::string& t : taken) lowered.push_back(utf8::lower(t));
    lowered.push_back("history");  // reserved by Excel
    auto isTaken = [&](const std::u32string& candidate) {
        return std::find(lowered.begin(), lowered.end(), utf8::lower(utf8::encode(candidate))) != lowered.end();
    };

    std::u32string candidate = shortened(name, kMaxSheetName);
    for (int n = 2; isTaken(candidate); ++n) {
        const std::u32string suffix = utf8::decode(" (" + std::to_string(n) + ")");
        candidate = shortened(name, kMaxSheetName - suffix.size()) + suffix;
    }
    return utf8::encode(candidate);
}

void render(const model::Document& doc, const std::filesystem::path& path, const Options& options) {
    const std::string author = doc.meta.author.empty() ? doc.meta.creator : doc.meta.author;
    const std::string company = doc.meta.creator.empty() ? std::string("GrantPress") : doc.meta.creator;

    if (!options.tmpdir.empty()) {
        // libxlsxwriter would quietly fall back to the system folder; a wrong setting should show.
        std::error_code ec;
        if (!std::filesystem::is_directory(options.tmpdir, ec))
            throw Error(ErrorKind::Render, "cannot write XLSX file '" + path.string() +
                                               "': the temporary folder '" + options.tmpdir.string() +
                                               "' does not exist");
    }
    Workbook workbook(path, options.tmpdir, needsConstantMemory(doc, options));
    setProperties(workbook.get(), doc.meta, author, company);
    Builder(workbook, doc, options).build();
    workbook.close();
}

}  // namespace gp::xlsx
