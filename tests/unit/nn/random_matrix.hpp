#pragma once
// Standard-normal test inputs, reproducible from a seed (stream (seed, initialization, 9, 0)).
#include "nsbi/core/random.hpp"
#include "nsbi/nn/tensor.hpp"

namespace nsbi::nn::test {

inline Mat<double> random_matrix(int rows, int cols, std::uint64_t seed) {
  RandomStream rng(seed, StreamId::initialization, 9, 0);
  Mat<double> m(rows, cols);
  for (auto& v : m.reshaped()) v = rng.normal();
  return m;
}

}  // namespace nsbi::nn::test
