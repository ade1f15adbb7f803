#include "trygg/stats/Displacement.hpp"

#include <cmath>
#include <limits>

namespace trygg::stats {

WdqResult weightedDisplacement(const WdqCounts& c) {
    WdqResult r;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (c.c0 == 0 || c.c1 == 0) {
        r.successMeasure = r.bufferMeasure = r.wdq = r.totalNetEffect = nan;
        r.verdict = "Cannot be evaluated: the control area has no incidents in one of the periods. Choose a larger "
                    "control area.";
        r.verdictSv = "Kan inte bedömas: kontrollområdet saknar händelser under en av perioderna. Välj ett större "
                      "kontrollområde.";
        return r;
    }
    r.defined = true;
    const double a0 = static_cast<double>(c.a0), a1 = static_cast<double>(c.a1);
    const double b0 = static_cast<double>(c.b0), b1 = static_cast<double>(c.b1);
    const double c0 = static_cast<double>(c.c0), c1 = static_cast<double>(c.c1);
    r.successMeasure = a1 / c1 - a0 / c0;
    r.bufferMeasure = b1 / c1 - b0 / c0;
    r.wdq = r.successMeasure != 0 ? r.bufferMeasure / r.successMeasure : nan;
    r.totalNetEffect = (a0 * c1 / c0 - a1) + (b0 * c1 / c0 - b1);
    if (r.successMeasure >= 0) {
        r.verdict = "No measurable success: against the control area, incidents in the measure area did not fall.";
        r.verdictSv = "Ingen mätbar effekt: jämfört med kontrollområdet minskade inte händelserna i åtgärdsområdet.";
    } else if (r.wdq > 1) {
        r.verdict = "Success, and the surroundings improved even more: a diffusion of benefits larger than the direct "
                    "effect.";
        r.verdictSv = "Effekt, och omgivningen förbättrades ännu mer: en spridning av nyttan större än den direkta "
                      "effekten.";
    } else if (r.wdq > 0) {
        r.verdict = "Success, with a diffusion of benefits: the surroundings improved too.";
        r.verdictSv = "Effekt, med spridning av nyttan: omgivningen förbättrades också.";
    } else if (r.wdq == 0) {
        r.verdict = "Success, with no displacement to or benefit for the surroundings.";
        r.verdictSv = "Effekt, utan förflyttning till eller nytta för omgivningen.";
    } else if (r.wdq >= -1) {
        r.verdict = "Success, with some displacement to the surroundings, smaller than the direct effect: a net gain.";
        r.verdictSv = "Effekt, med viss förflyttning till omgivningen, mindre än den direkta effekten: en nettovinst.";
    } else {
        r.verdict = "Displacement to the surroundings larger than the direct effect: a net loss.";
        r.verdictSv = "Förflyttning till omgivningen större än den direkta effekten: en nettoförlust.";
    }
    if (c.a0 + c.a1 < 20) {
        r.verdict += " Few incidents (under 20 in the measure area): read with care.";
        r.verdictSv += " Få händelser (under 20 i åtgärdsområdet): tolka med försiktighet.";
    }
    return r;
}

} // namespace trygg::stats
