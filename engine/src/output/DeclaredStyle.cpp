// A layer's style as it is stored: its fields' aliases and its classes' labels taken from the
// declarations (Layers.hpp), in the project's language.
#include "DeclaredStyle.hpp"

#include "trygg/core/Xml.hpp"
#include "trygg/output/Layers.hpp"
#include "trygg/output/Styles.hpp"

namespace trygg::output {
namespace {

// `qml` with its fields' aliases: their declared titles.
std::string withDeclaredTitles(const std::string& table, const std::vector<std::string>& fields, std::string qml,
                               bool english) {
    const LayerSpec* spec = layerOf(table);
    if (!spec) return qml;
    std::vector<FieldAlias> aliases;
    for (const std::string& name : fields) {
        // A field of a pattern (n_<category>, an overlay's) keeps its name beside the title, or
        // every category would read the same.
        if (const FieldSpec* f = fieldOf(*spec, name)) {
            const std::string& title = english ? f->en : f->sv;
            aliases.push_back({name, f->name.find('*') == std::string::npos ? title : title + ": " + name});
        }
    }
    const std::string block = aliasesXml(aliases);
    const auto begin = qml.find("  <aliases>"), end = qml.find("</aliases>\n");
    if (begin != std::string::npos && end != std::string::npos && end > begin)
        return qml.replace(begin, end + 11 - begin, block);
    if (const auto close = qml.rfind("</qgis>"); close != std::string::npos) qml.insert(close, block);
    return qml;
}

// `qml` with the labels of its categorized renderer's classes replaced by the declared labels of
// its field's values (Layers.hpp), in the project's language: the legend QGIS shows.
std::string withDeclaredLegend(const std::string& table, std::string qml, bool english) {
    static const std::string renderer = "<renderer-v2 type=\"categorizedSymbol\" attr=\"";
    const auto r = qml.find(renderer);
    if (r == std::string::npos) return qml;
    const auto a0 = r + renderer.size(), a1 = qml.find('"', a0);
    const std::string field = qml.substr(a0, a1 - a0);
    const LayerSpec* spec = layerOf(table);
    const FieldSpec* f = spec ? fieldOf(*spec, field) : nullptr;
    if (!f || f->classes.empty()) return qml;
    static const std::string category = "<category value=\"", label = "label=\"";
    for (auto at = qml.find(category, a1); at != std::string::npos && at < qml.find("</categories>", a1);
         at = qml.find(category, at + 1)) {
        const auto v0 = at + category.size(), v1 = qml.find('"', v0);
        const auto l0 = qml.find(label, v1) + label.size(), l1 = qml.find('"', l0);
        const std::string value = qml.substr(v0, v1 - v0);
        for (const auto& c : f->classes)
            if (c.value == value) qml.replace(l0, l1 - l0, escapeXml(english ? c.en : c.sv));
    }
    return qml;
}

} // namespace

std::string withDeclarations(const std::string& table, const std::vector<std::string>& fields, const std::string& qml,
                             bool english) {
    return withDeclaredTitles(table, fields, withDeclaredLegend(table, qml, english), english);
}

} // namespace trygg::output
