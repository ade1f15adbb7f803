#include "trygg/io/SurveyTable.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/Values.hpp"

#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace trygg::io {

SurveyTable readSurveyTable(const SurveySpec& spec) {
    VectorSource src = openVector(spec.path, "", "survey");
    OGRFeatureDefn* defn = src.layer->GetLayerDefn();
    auto field = [&](const std::string& name) {
        const int i = defn->GetFieldIndex(name.c_str());
        if (i < 0)
            throw InputError("survey: no field '" + name + "' in '" + spec.path +
                             "'. Name the fields with survey_area_field, survey_question_field, survey_year_field and "
                             "survey_index_field");
        return i;
    };
    const int ai = field(spec.areaField), qi = field(spec.questionField), yi = field(spec.yearField),
              ii = field(spec.indexField);
    SurveyTable t;
    RowDigest rows(spec.path);
    for (auto& f : *src.layer) {
        ++t.read;
        rows.add(*f);
        const auto year = parseNumber(f->GetFieldAsString(yi));
        const auto index = parseNumber(f->GetFieldAsString(ii));
        const std::string area = toUtf8(f->GetFieldAsString(ai)), question = toUtf8(f->GetFieldAsString(qi));
        if (area.empty() || question.empty() || !year || *year != std::floor(*year) || !index) {
            t.rejected.push_back("row " + std::to_string(t.read) + ": needs an area, a question, a whole year and a number");
            continue;
        }
        t.rows.push_back({area, question, static_cast<int>(*year), *index});
    }
    std::sort(t.rows.begin(), t.rows.end(), [](const SurveyRow& a, const SurveyRow& b) {
        return std::tie(a.area, a.question, a.year) < std::tie(b.area, b.question, b.year);
    });
    for (std::size_t k = 1; k < t.rows.size(); ++k) {
        auto& r = t.rows[k];
        const auto& prev = t.rows[k - 1];
        if (prev.area == r.area && prev.question == r.question && prev.year < r.year) {
            r.change = std::round((r.index - prev.index) * 1e9) / 1e9;  // no binary noise in a two-decimal index
            r.hasChange = true;
        }
    }
    t.rowsSha256 = rows.hex();
    return t;
}

} // namespace trygg::io
