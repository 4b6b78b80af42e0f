#pragma once
// Matrix aliases for the network code, which is templated on the scalar type T: float for
// training (the speed path), double for gradient tests against finite differences.
// Convention: one sample per column (features × batch).
#include <Eigen/Core>

namespace nsbi::nn {

template <typename T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <typename T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <typename T>
using RowVec = Eigen::Matrix<T, 1, Eigen::Dynamic>;

}  // namespace nsbi::nn
