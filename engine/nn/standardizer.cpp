#include "nsbi/nn/standardizer.hpp"

#include <algorithm>

#include <cmath>

namespace nsbi::nn {

Standardizer Standardizer::identity(int d) { return {Eigen::VectorXd::Zero(d), Eigen::VectorXd::Ones(d)}; }

Standardizer Standardizer::fit(const Eigen::Ref<const Eigen::MatrixXd>& data) {
  const Eigen::Index d = data.rows(), n = data.cols();
  Standardizer s = identity(static_cast<int>(d));
  if (n == 0) return s;
  s.mean = data.rowwise().mean();
  if (n < 2) return s;
  for (Eigen::Index i = 0; i < d; ++i) {
    const double var = (data.row(i).array() - s.mean(i)).square().sum() / static_cast<double>(n - 1);
    const double sd = std::sqrt(var);
    s.std(i) = sd > 1e-12 ? sd : 1.0;
  }
  return s;
}

Standardizer Standardizer::fit(const Eigen::Ref<const Eigen::MatrixXf>& data) {
  constexpr Eigen::Index kBlock = 4096;
  const Eigen::Index d = data.rows(), n = data.cols();
  Standardizer s = identity(static_cast<int>(d));
  if (n == 0) return s;
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(d);
  for (Eigen::Index j = 0; j < n; j += kBlock)
    sum += data.middleCols(j, std::min(kBlock, n - j)).cast<double>().rowwise().sum();
  s.mean = sum / static_cast<double>(n);
  if (n < 2) return s;
  Eigen::VectorXd sq = Eigen::VectorXd::Zero(d);
  for (Eigen::Index j = 0; j < n; j += kBlock)
    sq += (data.middleCols(j, std::min(kBlock, n - j)).cast<double>().colwise() - s.mean)
              .array()
              .square()
              .rowwise()
              .sum()
              .matrix();
  for (Eigen::Index i = 0; i < d; ++i) {
    const double sd = std::sqrt(sq(i) / static_cast<double>(n - 1));
    s.std(i) = sd > 1e-12 ? sd : 1.0;
  }
  return s;
}

namespace {

template <typename Data>
Standardizer structured(const Data& data) {
  constexpr Eigen::Index kBlock = 4096;
  const Eigen::Index d = data.rows(), n = data.cols();
  Standardizer s = Standardizer::identity(static_cast<int>(d));
  const double count = static_cast<double>(d) * static_cast<double>(n);
  if (count == 0) return s;
  double sum = 0;
  for (Eigen::Index j = 0; j < n; j += kBlock) sum += data.middleCols(j, std::min(kBlock, n - j)).template cast<double>().sum();
  const double mu = sum / count;
  s.mean.setConstant(mu);
  if (count < 2) return s;
  double sq = 0;
  for (Eigen::Index j = 0; j < n; j += kBlock)
    sq += (data.middleCols(j, std::min(kBlock, n - j)).template cast<double>().array() - mu).square().sum();
  const double sd = std::sqrt(sq / (count - 1));
  s.std.setConstant(sd > 1e-12 ? sd : 1.0);
  return s;
}

}  // namespace

Standardizer Standardizer::fit_structured(const Eigen::Ref<const Eigen::MatrixXd>& data) { return structured(data); }
Standardizer Standardizer::fit_structured(const Eigen::Ref<const Eigen::MatrixXf>& data) { return structured(data); }

double Standardizer::log_abs_det() const { return -std.array().log().sum(); }

}  // namespace nsbi::nn
