#include "nsbi/train/other_positions.hpp"

#include <algorithm>
#include <cassert>

namespace nsbi::train {

void draw_other_positions(std::int64_t batch_size, int count, RandomStream& rng, std::vector<std::int64_t>& out) {
  assert(count >= 0 && count <= batch_size - 1);
  out.resize(static_cast<std::size_t>(batch_size * count));
  for (std::int64_t i = 0; i < batch_size; ++i) {
    std::int64_t* o = out.data() + i * count;
    for (int j = 0; j < count; ++j) {
      for (;;) {
        auto m = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(batch_size - 1)));
        if (m >= i) ++m;  // skip position i itself
        if (std::find(o, o + j, m) == o + j) {
          o[j] = m;
          break;
        }
      }
    }
  }
}

}  // namespace nsbi::train
