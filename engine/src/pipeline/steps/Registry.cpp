// The pipeline's steps in run order, from Steps.def.
#include "../Step.hpp"

namespace trygg::pipeline::steps {

#define TRYGG_STEP(function) const Step& function();
#include "Steps.def"
#undef TRYGG_STEP

const std::vector<const Step*>& pipeline() {
    static const std::vector<const Step*> all = {
#define TRYGG_STEP(function) &function(),
#include "Steps.def"
#undef TRYGG_STEP
    };
    return all;
}

} // namespace trygg::pipeline::steps
