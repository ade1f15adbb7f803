#include "trygg/perception/Perception.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace trygg::perception {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

} // namespace

std::optional<TimeOfDay> parseTimeOfDay(std::string_view text) {
    const std::string_view t = trim(text);
    if (t.empty()) return TimeOfDay::Unknown;
    std::string low(t);
    for (auto& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (low == "dag" || low == "day" || low == "dagtid") return TimeOfDay::Day;
    if (low == "kväll" || low == "kvall" || low == "evening" || low == "kvällstid") return TimeOfDay::Evening;
    if (low == "natt" || low == "night" || low == "nattetid") return TimeOfDay::Night;
    int h = 0, m = 0;
    char colon = 0;
    if (std::sscanf(low.c_str(), "%2d%c%2d", &h, &colon, &m) == 3 && (colon == ':' || colon == '.') && h >= 0 && h < 24 &&
        m >= 0 && m < 60)
        return h >= 6 && h < 18 ? TimeOfDay::Day : h >= 18 && h < 22 ? TimeOfDay::Evening : TimeOfDay::Night;
    return std::nullopt;
}

const char* toString(TimeOfDay t) {
    switch (t) {
    case TimeOfDay::Day: return "dag";
    case TimeOfDay::Evening: return "kväll";
    case TimeOfDay::Night: return "natt";
    case TimeOfDay::Unknown: return "";
    }
    return "";
}

std::vector<std::string> splitReasons(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == ';' || text[i] == ',') {
            const auto part = trim(text.substr(start, i - start));
            if (!part.empty() && std::find(out.begin(), out.end(), part) == out.end()) out.emplace_back(part);
            start = i + 1;
        }
    }
    return out;
}

CellSummary summarise(const Reports& r, std::span<const std::int64_t> cellOfReport, std::size_t cellCount,
                      const Scale& scale, std::size_t leadingReasons) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CellSummary s;
    s.n.assign(cellCount, 0);
    s.unsafe.assign(cellCount, 0);
    s.mean.assign(cellCount, nan);
    s.ebMean.assign(cellCount, nan);
    s.leadingReasons.assign(cellCount, "");
    std::vector<double> sum(cellCount, 0.0);
    std::vector<std::vector<std::uint32_t>> reasonCounts(cellCount);
    double total = 0;
    std::size_t reports = 0;
    for (std::size_t i = 0; i < r.score.size(); ++i) {
        const std::int64_t c = cellOfReport[i];
        if (c < 0) continue;
        const auto cell = static_cast<std::size_t>(c);
        ++s.n[cell];
        s.unsafe[cell] += scale.isUnsafe(r.score[i]) ? 1 : 0;
        sum[cell] += r.score[i];
        total += r.score[i];
        ++reports;
        if (!r.reasons.empty() && !r.reasons[i].empty()) {
            auto& rc = reasonCounts[cell];
            if (rc.empty()) rc.assign(r.reasonNames.size(), 0);
            for (auto k : r.reasons[i]) ++rc[static_cast<std::size_t>(k)];
        }
    }
    if (reports == 0) return s;
    s.grandMean = total / static_cast<double>(reports);
    std::size_t cellsWithReports = 0;
    for (std::size_t c = 0; c < cellCount; ++c)
        if (s.n[c] > 0) {
            s.mean[c] = sum[c] / s.n[c];
            ++cellsWithReports;
        }
    // s^2: pooled within-cell variance.
    double within = 0;
    for (std::size_t i = 0; i < r.score.size(); ++i) {
        if (cellOfReport[i] < 0) continue;
        const double d = r.score[i] - s.mean[static_cast<std::size_t>(cellOfReport[i])];
        within += d * d;
    }
    const double dof = static_cast<double>(reports) - static_cast<double>(cellsWithReports);
    s.withinVariance = dof > 0 ? within / dof : 0.0;
    // t^2 by DerSimonian-Laird.
    if (s.withinVariance > 0 && cellsWithReports > 1) {
        double w1 = 0, w2 = 0, wm = 0;
        for (std::size_t c = 0; c < cellCount; ++c) {
            if (s.n[c] == 0) continue;
            const double w = s.n[c] / s.withinVariance;
            w1 += w;
            w2 += w * w;
            wm += w * s.mean[c];
        }
        wm /= w1;
        double q = 0;
        for (std::size_t c = 0; c < cellCount; ++c)
            if (s.n[c] > 0) q += s.n[c] / s.withinVariance * (s.mean[c] - wm) * (s.mean[c] - wm);
        s.betweenVariance = std::max(0.0, (q - static_cast<double>(cellsWithReports - 1)) / (w1 - w2 / w1));
    }
    for (std::size_t c = 0; c < cellCount; ++c) {
        if (s.n[c] == 0) continue;
        if (s.withinVariance == 0) {  // every score equals its cell's mean: nothing to shrink
            s.ebMean[c] = s.mean[c];
            continue;
        }
        const double v = s.withinVariance / s.n[c];
        const double b = v / (v + s.betweenVariance);
        s.ebMean[c] = b * s.grandMean + (1 - b) * s.mean[c];
    }
    // Leading reasons: most cited first, ties by name.
    for (std::size_t c = 0; c < cellCount; ++c) {
        const auto& rc = reasonCounts[c];
        if (rc.empty()) continue;
        std::vector<std::size_t> order;
        for (std::size_t k = 0; k < rc.size(); ++k)
            if (rc[k] > 0) order.push_back(k);
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return rc[a] != rc[b] ? rc[a] > rc[b] : r.reasonNames[a] < r.reasonNames[b];
        });
        std::string text;
        for (std::size_t k = 0; k < order.size() && k < leadingReasons; ++k)
            text += (k ? "; " : "") + r.reasonNames[order[k]] + " (" + std::to_string(rc[order[k]]) + ")";
        s.leadingReasons[c] = text;
    }
    return s;
}

FearCrime classify(int incidentBin, int perceptionBin, double reportsInNeighbourhood, double minReports, int hotBin) {
    if (reportsInNeighbourhood < minReports) return FearCrime::TooLittleData;
    const bool incidents = incidentBin >= hotBin, perceived = perceptionBin >= hotBin;
    if (incidents && perceived) return FearCrime::Both;
    if (perceived) return FearCrime::PerceivedOnly;
    if (incidents) return FearCrime::IncidentsOnly;
    return FearCrime::Neither;
}

const ClassText& text(FearCrime c) {
    static const ClassText kTexts[5] = {
        {"too_little_data", "För lite underlag", "Too little data",
         "För få trygghetssvar här för att säga något om upplevd otrygghet.",
         "Too few safety reports here to say anything about perceived safety."},
        {"both", "Både otryggt och brott", "Both unsafe and incidents",
         "Invånarna känner sig otrygga och brotten är många: samverka om åtgärder, t.ex. riktad närvaro och "
         "fysiska åtgärder.",
         "Residents feel unsafe and incidents concentrate: act together, e.g. directed presence and physical measures."},
        {"perceived_only", "Upplevd otrygghet utan brott", "Perceived only",
         "Otryggheten har inga brott bakom sig: se över belysning, sikt och buskage, och informera.",
         "Fear without incidents behind it: look at lighting, visibility and vegetation, and inform residents."},
        {"incidents_only", "Brott utan upplevd otrygghet", "Incidents only",
         "Brotten märks inte i trygghetssvaren: polisiär närvaro och information om läget.",
         "Incidents that residents do not notice: police presence and information about the situation."},
        {"neither", "Varken eller", "Neither", "Varken brott eller upplevd otrygghet sticker ut.",
         "Neither incidents nor perceived insecurity stand out."},
    };
    return kTexts[static_cast<int>(c)];
}

std::vector<ReasonRow> rankReasons(const Reports& r, const Scale& scale, std::span<const std::uint8_t> include) {
    std::vector<ReasonRow> rows(r.reasonNames.size());
    std::uint32_t all = 0, allUnsafe = 0;
    for (std::size_t i = 0; i < r.score.size(); ++i) {
        if (!include.empty() && !include[i]) continue;
        const bool unsafe = scale.isUnsafe(r.score[i]);
        ++all;
        allUnsafe += unsafe;
        if (r.reasons.empty()) continue;
        for (auto k : r.reasons[i]) {
            ++rows[static_cast<std::size_t>(k)].reports;
            rows[static_cast<std::size_t>(k)].unsafe += unsafe;
        }
    }
    const double overall = all > 0 ? static_cast<double>(allUnsafe) / all : 0.0;
    std::vector<ReasonRow> out;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        auto& row = rows[k];
        if (row.reports == 0) continue;
        row.reason = r.reasonNames[k];
        row.shareUnsafe = static_cast<double>(row.unsafe) / row.reports;
        row.shareUnsafeOverall = overall;
        row.lift = overall > 0 ? row.shareUnsafe / overall : 0.0;
        out.push_back(row);
    }
    std::sort(out.begin(), out.end(), [](const ReasonRow& a, const ReasonRow& b) {
        return a.unsafe != b.unsafe ? a.unsafe > b.unsafe : a.reason < b.reason;
    });
    return out;
}

} // namespace trygg::perception
