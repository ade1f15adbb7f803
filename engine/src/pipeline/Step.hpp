#pragma once
// A step of the pipeline, as PDAL's stages: one analysis in one file under steps/, named as
// docs/terms.md names it. A step says when it runs, runs on what the earlier steps of its
// analysis left, writes its layers and says how it was made in run_metadata. The pipeline is
// the list in steps/Steps.def; a further analysis ([analyses.NAME]) runs the same list on its
// own reports. Internal to the pipeline.
#include "ConfigTable.hpp"
#include "Inputs.hpp"
#include "steps/Metadata.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Progress.hpp"
#include "trygg/geom/Geos.hpp"
#include "trygg/io/ReportReader.hpp"
#include "trygg/io/StudyArea.hpp"
#include "trygg/output/GpkgWriter.hpp"
#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <typeindex>
#include <vector>

namespace trygg::crs {
class Crs;
}

namespace trygg::pipeline {

// The results of the steps that ran, one per type: a step puts its result, later steps find it.
class Results {
public:
    template <typename T>
    T& put(T value) {
        auto p = std::make_shared<T>(std::move(value));
        T& ref = *p;
        m_results[std::type_index(typeid(T))] = std::move(p);
        return ref;
    }
    // The result of type T, or nullptr when the step that makes it did not run.
    template <typename T>
    T* find() const {
        const auto it = m_results.find(std::type_index(typeid(T)));
        return it == m_results.end() ? nullptr : static_cast<T*>(it->second.get());
    }
    // The result a step needs: an internal error when the pipeline's order does not provide it.
    template <typename T>
    T& get(const char* step) const {
        if (T* p = find<T>()) return *p;
        throw Error(std::string("internal error: ") + step + " ran before the step whose result it needs");
    }
    // Shares `from`'s result of type T, when it has one (no copy: both hold it).
    template <typename T>
    void share(const Results& from) {
        const auto it = from.m_results.find(std::type_index(typeid(T)));
        if (it != from.m_results.end()) m_results[it->first] = it->second;
    }

private:
    std::map<std::type_index, std::shared_ptr<void>> m_results;
};

// One analysis of a run: what it shares with the run's other analyses (read once), its own
// config and reports, and the results of its steps.
struct Analysis {
    const Config& cfg;
    const crs::Crs& analysisCrs;
    const geom::GeosContext& geos;
    const io::StudyArea& study;
    Inputs& inputs;
    const io::ReportSet& reports;  // after the analysis's filter and categories
    RunSummary& summary;
    bool main = true;  // the main analysis writes the layers the run shares (study area, context, rejected rows)
    Results results;
    // In a further analysis, the main analysis's results where a step compares with them
    // (stats.hotspot_comparison); nullptr otherwise.
    const Results* mainResults = nullptr;

    const geom::Area* area() const { return study.area.get(); }
    bool publishing() const { return cfg.publish.enabled; }
};

// The size of an analysis, as far as it is known: what a step's cost is estimated from.
struct RunSize {
    double reports = 0;       // accepted, after the analysis's filter
    double cells = 0;         // the grid's, or an estimate before it is built
    double permutations = 0;  // [inference] permutations
};

// What a step costs, roughly: seconds on a 2-core machine (these figures come from the national
// benchmark, scripts/bench-national, and the sample run). The progress bar gives each step a
// share in proportion to its cost among the steps still to run, so that it moves with the time
// and an estimate of the time left can be made from it.
struct StepCost {
    double fixed = 0;
    double perReport = 0;
    double perCell = 0;
    double perCellAndPermutation = 0;
    constexpr double of(const RunSize& s) const {
        return fixed + perReport * s.reports + perCell * s.cells + perCellAndPermutation * s.cells * s.permutations;
    }
};

class Step {
public:
    // `name` as docs/terms.md gives it; `cost`: what it takes, for its share of the progress.
    constexpr Step(const char* name, StepCost cost) : m_name(name), m_cost(cost) {}
    virtual ~Step() = default;
    Step(const Step&) = delete;
    Step& operator=(const Step&) = delete;

    const char* name() const { return m_name; }
    double cost(const RunSize& size) const { return m_cost.of(size); }

    // Its tables in the config file ("kde"; "overlays" for [[overlays]]), which readConfig reads
    // from the file's top level into `cfg`, values checked; the loader refuses any other table.
    virtual std::vector<const char*> configTables() const { return {}; }
    virtual void readConfig(const ConfigTable&, Config&) const {}

    // The files it reads (what, path), for the check that no output overwrites an input.
    using AddFile = std::function<void(const std::string& what, const std::string& path)>;
    virtual void inputFiles(const Config&, const AddFile&) const {}

    // Its key in [analyses.NAME] ("kde = false" leaves it out of that analysis), or nullptr when a
    // further analysis always runs it as the main one does; switchOff leaves it out of `cfg`.
    virtual const char* analysisSwitch() const { return nullptr; }
    virtual void switchOff(Config&) const {}

    // The steps whose results it reads, by name: each must come earlier in the pipeline (a test
    // checks the order).
    virtual std::vector<std::string> needs() const { return {}; }
    // Whether it runs in this analysis, asked when its turn comes (so it may ask whether an earlier
    // step ran).
    virtual bool enabled(const Analysis& a) const = 0;
    // Computes, puts its result in a.results. Timed under its name unless it only writes.
    virtual void run(Analysis& a, const Progress& progress) const = 0;
    virtual bool timed() const { return true; }
    // Writes its layers, once every step of the analysis has run (a layer may hold the columns of
    // later steps). `progress` is the whole output's.
    virtual void write(const Analysis&, output::GpkgWriter&, const Progress&) const {}
    // Its run_metadata entries.
    virtual void metadata(const Analysis&, steps::Metadata&) const {}
    // What of the main analysis's results it reads in the further analyses (Analysis::mainResults):
    // shares those of `main` into `kept` (Results::share), which the run keeps until the end.
    virtual void keepForFurther(const Results& /*main*/, Results& /*kept*/) const {}
    // What it found, in a line or two for the command line's summary (English).
    virtual void summary(const Analysis&, std::vector<std::string>&) const {}

private:
    const char* m_name;
    StepCost m_cost;
};

namespace steps {
// Every step, in run order (Steps.def).
const std::vector<const Step*>& pipeline();
} // namespace steps

} // namespace trygg::pipeline
