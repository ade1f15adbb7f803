#pragma once
// Progress reporting passed down through the pipeline, split into slices per step
// (like GDALCreateScaledProgress). The engine never prints: a sink supplied by the
// caller decides what to show. A cancel check turns into trygg::Cancelled.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace trygg {

class Progress {
public:
    // fraction in [0, 1] of the whole job, the step's dotted name, and a short message.
    using Sink = std::function<void(double fraction, std::string_view step, std::string_view message)>;
    using CancelCheck = std::function<bool()>;

    Progress();  // silent, never cancelled
    Progress(Sink sink, CancelCheck cancelled);

    // A sub-range [from, to] of this progress (fractions of this slice), reporting as `step`.
    Progress slice(double from, double to, std::string step) const;

    // Reports `fraction` of this slice done. Throws Cancelled when a cancel was requested.
    void update(double fraction, std::string_view message = {}) const;

    // Reports without checking for a cancel: for what comes after the point of no return (the
    // output is in place), where a Cancelled would wrongly say that nothing was written.
    void show(double fraction, std::string_view message = {}) const;

    // Throws Cancelled when a cancel was requested; cheap enough for inner loops run every few
    // thousand items.
    void checkCancelled() const;

    const std::string& step() const { return m_step; }

    // Adapter for GDAL functions taking a GDALProgressFunc; pass `this` as the user data.
    static int gdalCallback(double fraction, const char* message, void* self);

private:
    struct Shared;
    std::shared_ptr<const Shared> m_shared;
    double m_from = 0.0;
    double m_to = 1.0;
    std::string m_step;
};

} // namespace trygg
