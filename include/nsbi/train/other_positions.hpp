#pragma once
// The contrasting members of a minibatch that the contrastive losses compare each example with
// (the atoms of APT, the marginal θ of NRE-A, the K − 1 other θ of NRE-B).
#include <cstdint>
#include <vector>

#include "nsbi/core/random.hpp"

namespace nsbi::train {

/// For each position i of a minibatch of `batch_size`, `count` distinct positions other than i,
/// drawn uniformly without replacement from the batch_size − 1 others: out[i·count + j] for
/// j < count (out is resized). Needs 0 ≤ count ≤ batch_size − 1. Each draw is uniform over the
/// others and redrawn on a repeat (count ≪ batch_size in practice, so repeats are rare); the
/// result depends only on the stream, the batch size and count.
void draw_other_positions(std::int64_t batch_size, int count, RandomStream& rng, std::vector<std::int64_t>& out);

}  // namespace nsbi::train
