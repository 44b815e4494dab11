// SPDX-License-Identifier: Apache-2.0
// Printing the figures: a readable table per (profile, latency) and an ES10 breakdown, or JSON. Nothing here
// judges speed: the figures are printed, never compared with a threshold.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <vector>

#include "bench/scenario.h"

namespace lpad::bench {

// All iterations of one setting; runs[i] is the phases of iteration i (same phases, same order).
struct Series {
    RunSettings settings;
    std::vector<std::vector<PhaseFigures>> runs;
};

// Derived figures of one phase.
struct PhaseSummary {
    std::size_t apdus = 0;
    Floor floor;
    double above_floor_pct = 0;
    std::size_t bpp_bytes = 0;        // sum of the Bound Profile Package pieces (= the BPP's size)
    std::size_t bpp_apdus = 0;        // STORE DATA + GET RESPONSE of those pieces
    std::size_t bpp_floor = 0;
};
PhaseSummary summarize(const PhaseFigures& phase, std::size_t block);

void print_table(std::ostream& out, const Series& series);
void print_json(std::ostream& out, const std::vector<Series>& all);

}  // namespace lpad::bench
