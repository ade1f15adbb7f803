// The report's part 3.2 beside the risk terrain: colocation (which categories lie beside what) and
// the hot spot maps compared (incidents against perceived insecurity, one year against the next),
// each a table and a sentence, from the colocation and hotspot_comparison tables.
#include "ReportDoc.hpp"

#include "trygg/output/Layers.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>

namespace trygg::report {

std::string colocationPart(Doc& d) {
    OGRLayer* layer = d.layer("colocation");
    if (!layer) return "";
    std::string rows;
    for (auto& f : *layer) {
        const std::string cls = f->GetFieldAsString("clq_class");
        if (cls == "undefined") continue;
        rows += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                            esc(f->GetFieldAsString("title")), d.decimal(d.value(*f, "clq"), 2),
                            esc(output::classLabel("colocation", "clq_class", cls, d.english)), d.count(*f, "n"),
                            d.count(*f, "colocated_n"));
    }
    if (rows.empty()) return "";
    return fmt::format(
        "<h4>{}</h4><p>{}</p><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
        d.T("Samlokalisering", "Colocation"),
        d.T("Ligger händelserna av en kategori oftare nära något annat än slumpen ger? Kvoten (CLQ) är hur ofta en "
            "händelses närmaste granne är det andra, mot hur ofta den vore det om etiketterna låg slumpvis på samma punkter: "
            "över 1 oftare. Lokalt prövas varje händelse mot sina närmaste grannar.",
            "Are a category's incidents found near something else more often than chance gives? The quotient (CLQ) is how "
            "often an incident's nearest neighbour is the other kind, against how often it would be were the labels spread at "
            "random over the same points: above 1, more often. Locally each incident is tested against its nearest neighbours."),
        d.T("Par", "Pair"), d.T("Kvot (CLQ)", "Quotient (CLQ)"), d.T("Slutsats", "Conclusion"), d.T("Händelser", "Incidents"),
        d.T("Därav samlokaliserade lokalt", "Of them colocated locally"), rows);
}

std::string comparisonPart(Doc& d) {
    OGRLayer* layer = d.layer("hotspot_comparison");
    if (!layer) return "";
    std::string rows;
    for (auto& f : *layer) {
        const std::string kind = f->GetFieldAsString("comparison");
        const std::string what =
            kind == "perceived" ? d.T("Händelser mot upplevd otrygghet", "Incidents against perceived insecurity")
            : kind == "periods" ? fmt::format("{} {} {}", esc(f->GetFieldAsString("map_a")), d.T("mot", "against"), esc(f->GetFieldAsString("map_b")))
                                : d.T("Analysen mot huvudanalysen", "The analysis against the main one");
        rows += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                            "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                            what, d.decimal(d.value(*f, "similarity"), 2), d.decimal(d.value(*f, "kappa"), 2),
                            d.num(d.value(*f, "hot_cells_a")), d.num(d.value(*f, "hot_cells_b")), d.num(d.value(*f, "hot_cells_both")));
    }
    if (rows.empty()) return "";
    return fmt::format(
        "<h4>{}</h4><p>{}</p><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
        d.T("Hot spot-kartor jämförda", "Hot spot maps compared"),
        d.T("Hur lika är två hot spot-kartor över samma rutor? Likheten (0 till 1) väger in grannrutor, så att en hot spot "
            "en ruta bort räknas till hälften. Kappa säger hur mycket mer lika kartorna är än om klasserna låg slumpvis: 1 "
            "så lika som möjligt, 0 inte mer än slumpen. De flesta rutor är inte signifikanta på någon av kartorna, så läs "
            "kappa och de delade hot spot-rutorna snarare än likheten.",
            "How alike are two hot spot maps of the same cells? The similarity (0 to 1) takes neighbouring cells in, so that "
            "a hot spot one cell over counts half. Kappa says how much more alike the maps are than had their classes been "
            "spread at random: 1 as alike as can be, 0 no more than chance. Most cells are significant on neither map, so read "
            "the kappa and the hot cells shared rather than the similarity."),
        d.T("Jämförelse", "Comparison"), d.T("Likhet", "Similarity"), d.T("Kappa", "Kappa"), d.T("Hot spot-rutor, A", "Hot cells, A"),
        d.T("Hot spot-rutor, B", "Hot cells, B"), d.T("I båda", "In both"), rows);
}

} // namespace trygg::report
