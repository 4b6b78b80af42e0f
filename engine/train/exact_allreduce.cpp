#include "nsbi/train/exact_allreduce.hpp"

#include <mpi.h>

#include "nsbi/core/error.hpp"
#include "nsbi/train/fixed_point.hpp"

namespace nsbi::train {

template <typename T>
void ExactAllreduce::sum(const Eigen::Ref<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>& shards,
                         std::int64_t total_shards, Eigen::Ref<Eigen::VectorXd> out) {
  const Eigen::Index L = out.size();
  double max_abs = shards.size() ? static_cast<double>(shards.cwiseAbs().maxCoeff()) : 0.0;
  if (!std::isfinite(max_abs)) max_abs = std::numeric_limits<double>::infinity();
  double t0 = MPI_Wtime();
  max_abs = comm_.allreduce(max_abs, mpi::Op::max);
  comm_seconds_ += MPI_Wtime() - t0;
  if (!std::isfinite(max_abs)) throw NumericalError("gradient allreduce: finite values expected, got NaN or inf");
  const int E = fixed_point_exponent(max_abs, total_shards);
  acc_.assign(static_cast<std::size_t>(L), 0);
  for (Eigen::Index s = 0; s < shards.cols(); ++s)
    accumulate_fixed<T>(std::span<const T>(shards.col(s).data(), static_cast<std::size_t>(L)), E, acc_);
  t0 = MPI_Wtime();
  if (comm_.size() > 1) comm_.allreduce(std::span<std::int64_t>(acc_), mpi::Op::sum);
  comm_seconds_ += MPI_Wtime() - t0;
  const double inv_scale = std::ldexp(1.0, -E);
  for (Eigen::Index i = 0; i < L; ++i) out(i) = static_cast<double>(acc_[static_cast<std::size_t>(i)]) * inv_scale;
}

template void ExactAllreduce::sum<float>(const Eigen::Ref<const Eigen::MatrixXf>&, std::int64_t, Eigen::Ref<Eigen::VectorXd>);
template void ExactAllreduce::sum<double>(const Eigen::Ref<const Eigen::MatrixXd>&, std::int64_t, Eigen::Ref<Eigen::VectorXd>);

}  // namespace nsbi::train
