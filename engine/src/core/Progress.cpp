#include "trygg/core/Progress.hpp"

#include "trygg/core/Error.hpp"

#include <algorithm>

namespace trygg {

struct Progress::Shared {
    Sink sink;
    CancelCheck cancelled;
};

Progress::Progress() : m_shared(std::make_shared<Shared>()) {}

Progress::Progress(Sink sink, CancelCheck cancelled)
    : m_shared(std::make_shared<Shared>(Shared{std::move(sink), std::move(cancelled)})) {}

Progress Progress::slice(double from, double to, std::string step) const {
    Progress p = *this;
    const double span = m_to - m_from;
    p.m_from = m_from + span * std::clamp(from, 0.0, 1.0);
    p.m_to = m_from + span * std::clamp(to, 0.0, 1.0);
    p.m_step = std::move(step);
    return p;
}

void Progress::checkCancelled() const {
    if (m_shared->cancelled && m_shared->cancelled()) throw Cancelled();
}

void Progress::update(double fraction, std::string_view message) const {
    checkCancelled();
    show(fraction, message);
}

void Progress::show(double fraction, std::string_view message) const {
    if (m_shared->sink) {
        const double f = m_from + (m_to - m_from) * std::clamp(fraction, 0.0, 1.0);
        m_shared->sink(f, m_step, message);
    }
}

int Progress::gdalCallback(double fraction, const char* message, void* self) {
    const auto* progress = static_cast<const Progress*>(self);
    try {
        progress->update(fraction, message ? std::string_view(message) : std::string_view());
    } catch (const Cancelled&) {
        return 0;  // GDAL stops the operation; the caller rethrows
    }
    return 1;
}

} // namespace trygg
