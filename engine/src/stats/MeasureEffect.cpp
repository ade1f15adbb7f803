#include "trygg/stats/MeasureEffect.hpp"

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include <cmath>

namespace trygg::stats {
namespace {

double normalQuantile(double p) { return boost::math::quantile(boost::math::normal_distribution<double>(), p); }

// "−12 %" with a real minus sign, as both languages print a change.
std::string pct(double v) {
    const long r = std::lround(v);
    return r < 0 ? fmt::format("\u2212{} %", -r) : r > 0 ? fmt::format("+{} %", r) : "0 %";
}

// "−40 to +25 %" / "−40 till +25 %".
std::string interval(const RatioEstimate& e, const char* to) {
    auto p = [](double ratio) {
        const long r = std::lround((ratio - 1) * 100);
        return r < 0 ? fmt::format("\u2212{}", -r) : r > 0 ? fmt::format("+{}", r) : std::string("0");
    };
    return fmt::format("{} {} {} %", p(e.low), to, p(e.high));
}

} // namespace

RatioEstimate rateRatio(double x0, double x1, double c0, double c1, double confidence) {
    RatioEstimate e;
    if (c0 + c1 <= 0 || x0 + x1 <= 0) return e;
    if (x0 == 0 || x1 == 0 || c0 == 0 || c1 == 0) {
        x0 += 0.5, x1 += 0.5, c0 += 0.5, c1 += 0.5;
        e.corrected = true;
    }
    const double log = std::log((x1 / x0) / (c1 / c0));
    const double se = std::sqrt(1 / x0 + 1 / x1 + 1 / c0 + 1 / c1);
    const double z = normalQuantile(0.5 + confidence / 2);
    e.ratio = std::exp(log);
    e.low = std::exp(log - z * se);
    e.high = std::exp(log + z * se);
    e.p = 2 * boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), std::fabs(log / se)));
    e.defined = true;
    return e;
}

double minimumDetectableFall(double a0, double c0, double c1, double confidence, double power) {
    if (a0 <= 0 || c0 <= 0 || c1 <= 0) return 100;
    const double a1 = a0 * c1 / c0;  // expected after, without an effect
    const double se = std::sqrt(1 / a0 + 1 / a1 + 1 / c0 + 1 / c1);
    const double k = normalQuantile(0.5 + confidence / 2) + normalQuantile(power);
    return (1 - std::exp(-k * se)) * 100;
}

MeasureEffect measureEffect(const WdqCounts& c, const EffectOptions& o) {
    MeasureEffect m;
    m.wdq = weightedDisplacement(c);
    const auto d = [](std::int64_t v) { return static_cast<double>(v); };
    m.measure = rateRatio(d(c.a0), d(c.a1), d(c.c0), d(c.c1), o.confidence);
    m.buffer = rateRatio(d(c.b0), d(c.b1), d(c.c0), d(c.c1), o.confidence);
    m.mdePct = minimumDetectableFall(d(c.a0), d(c.c0), d(c.c1), o.confidence, o.power);
    const int level = static_cast<int>(std::lround(o.confidence * 100));
    if (c.c0 == 0 || c.c1 == 0 || !m.measure.defined) {
        m.verdict = EffectVerdict::NotEvaluable;
        m.verdictEn = c.c0 == 0 || c.c1 == 0
                          ? "Cannot be evaluated: the control area has no incidents before or after."
                          : "Cannot be evaluated: no incidents in the measure area before or after.";
        m.verdictSv = c.c0 == 0 || c.c1 == 0
                          ? "Kan inte bedömas: kontrollområdet saknar händelser före eller efter."
                          : "Kan inte bedömas: inga händelser i åtgärdsområdet före eller efter.";
        return m;
    }
    m.changePct = (m.measure.ratio - 1) * 100;
    const bool fell = m.measure.high < 1, rose = m.measure.low > 1;
    const bool bufferRose = m.buffer.defined && m.buffer.low > 1, bufferFell = m.buffer.defined && m.buffer.high < 1;
    const std::string change = pct(m.changePct);
    const std::string ciEn = fmt::format("{} % CI {}", level, interval(m.measure, "to"));
    const std::string ciSv = fmt::format("{} % KI {}", level, interval(m.measure, "till"));
    if (fell && bufferRose) {
        m.verdict = EffectVerdict::Displaced;
        m.verdictEn = fmt::format("Displacement: {} in the measure area ({}), but {} in the buffer around it.", change,
                                  ciEn, pct((m.buffer.ratio - 1) * 100));
        m.verdictSv = fmt::format("Förflyttning: {} i åtgärdsområdet ({}), men {} i bufferten runt det.", change, ciSv,
                                  pct((m.buffer.ratio - 1) * 100));
    } else if (fell) {
        m.verdict = EffectVerdict::Worked;
        m.verdictEn = fmt::format("Worked: {} against the control's trend ({}){}.", change, ciEn,
                                  bufferFell ? ", and fewer in the buffer too (diffusion of benefits)" : "");
        m.verdictSv = fmt::format("Effekt: {} jämfört med kontrollområdets utveckling ({}){}.", change, ciSv,
                                  bufferFell ? ", och färre i bufferten också (spridning av nyttan)" : "");
    } else if (rose) {
        m.verdict = EffectVerdict::Worse;
        m.verdictEn = fmt::format("More incidents than the control's trend predicts: {} ({}).", change, ciEn);
        m.verdictSv = fmt::format("Fler händelser än kontrollområdets utveckling ger: {} ({}).", change, ciSv);
    } else if (m.mdePct > o.tooFewPct) {
        m.verdict = EffectVerdict::TooFew;
        m.verdictEn = fmt::format("Too few incidents to tell: with {} before, only a fall of {:.0f} % or more could "
                                  "have been told from chance ({} seen).",
                                  c.a0, m.mdePct, change);
        m.verdictSv = fmt::format("För få händelser för att avgöra: med {} före hade bara en minskning på {:.0f} % "
                                  "eller mer kunnat skiljas från slumpen ({} nu).",
                                  c.a0, m.mdePct, change);
    } else {
        m.verdict = EffectVerdict::NoEffect;
        m.verdictEn = fmt::format("No change beyond chance: {} ({}); a fall of {:.0f} % would have been seen.", change,
                                  ciEn, m.mdePct);
        m.verdictSv = fmt::format("Ingen förändring utöver slumpen: {} ({}); en minskning på {:.0f} % hade synts.",
                                  change, ciSv, m.mdePct);
    }
    return m;
}

void checkAgainstPlacebo(MeasureEffect& m, const DidResult& did, const EffectOptions& o) {
    if (m.verdict == EffectVerdict::NotEvaluable) return;
    if (!did.defined()) {
        m.verdictEn += " Not checked against comparable places (too few of them, or too short a period before).";
        m.verdictSv += " Inte prövad mot jämförbara platser (för få sådana, eller för kort period före).";
        return;
    }
    const double alpha = 1 - o.confidence;
    const DidEstimate& d = did.estimate;
    const bool fell = d.effect < 0 && did.placeboP <= alpha, rose = d.effect > 0 && did.placeboP <= alpha;
    const std::string p = fmt::format("{:.2f}", did.placeboP);
    const std::string change = std::isfinite(d.changePct) ? pct(d.changePct) : fmt::format("{:+.2f}", d.effect);
    const std::string figuresEn = fmt::format("against the {} places most like it before: {} (placebo p = {}, {} places)",
                                              did.controls.size(), change, p, did.placebos);
    const std::string figuresSv = fmt::format("mot de {} platser som mest liknade den före: {} (placebo-p = {}, {} platser)",
                                              did.controls.size(), change, p, did.placebos);
    const bool claimsFall = m.verdict == EffectVerdict::Worked || m.verdict == EffectVerdict::Displaced;
    const bool claimsRise = m.verdict == EffectVerdict::Worse;
    if ((claimsFall && fell) || (claimsRise && rose)) {
        m.verdictEn += " Confirmed " + figuresEn + ".";
        m.verdictSv += " Bekräftat " + figuresSv + ".";
        return;
    }
    if (claimsFall || claimsRise) {
        const std::string seen = pct(m.changePct);
        m.verdict = m.mdePct > o.tooFewPct ? EffectVerdict::TooFew : EffectVerdict::NoEffect;
        m.verdictEn = fmt::format("No change beyond chance: {} against the rest of the study area, but places most like "
                                  "it before {} as much ({}).",
                                  seen, claimsFall ? "fell" : "rose", figuresEn);
        m.verdictSv = fmt::format("Ingen förändring utöver slumpen: {} jämfört med resten av området, men platser som "
                                  "liknade den före {} lika mycket ({}).",
                                  seen, claimsFall ? "minskade" : "ökade", figuresSv);
        return;
    }
    m.verdictEn += fmt::format(" Compared {}.", figuresEn);
    m.verdictSv += fmt::format(" Jämfört {}.", figuresSv);
}

const char* toString(EffectVerdict v) {
    switch (v) {
    case EffectVerdict::NotEvaluable: return "not_evaluable";
    case EffectVerdict::TooFew: return "too_few";
    case EffectVerdict::NoEffect: return "no_effect";
    case EffectVerdict::Worse: return "worse";
    case EffectVerdict::Displaced: return "displaced";
    case EffectVerdict::Worked: return "worked";
    }
    return "";
}

} // namespace trygg::stats
