#pragma once
// z-scoring: u = (v − mean) / std per feature, with statistics fixed from training data
// (DESIGN.md §2: θ and x are z-scored with statistics of the first round's data).
#include <Eigen/Core>

#include "nsbi/nn/tensor.hpp"

namespace nsbi::nn {

struct Standardizer {
  Eigen::VectorXd mean;  // D
  Eigen::VectorXd std;   // D, > 0

  /// Identity of dimension d.
  static Standardizer identity(int d);
  /// Mean and unbiased std of the columns of `data` (D×N); a feature with std below 1e-12 (or
  /// a single sample) keeps std 1 so constant inputs stay finite.
  static Standardizer fit(const Eigen::Ref<const Eigen::MatrixXd>& data);
  /// The same for float data (the bank's x), summed in double a block of columns at a time, so
  /// that no double copy of the data is made.
  static Standardizer fit(const Eigen::Ref<const Eigen::MatrixXf>& data);

  /// Structured z-scoring (sbi's z_score_x = "structured"): one mean and one unbiased std for
  /// every feature, those of all D·N entries (std 1 when they are constant). For x whose features
  /// are exchangeable in distribution (a map or series of a stationary field), where per-feature
  /// statistics differ only by their sampling noise, and dividing by them would modulate the data.
  static Standardizer fit_structured(const Eigen::Ref<const Eigen::MatrixXd>& data);
  static Standardizer fit_structured(const Eigen::Ref<const Eigen::MatrixXf>& data);

  int dim() const { return static_cast<int>(mean.size()); }
  /// log |det| of the map v → u: −Σ log std.
  double log_abs_det() const;

  template <typename T>
  void apply(const Eigen::Ref<const Mat<T>>& v, Eigen::Ref<Mat<T>> u) const {
    u = ((v.array().colwise() - mean.cast<T>().array()).colwise() / std.cast<T>().array()).matrix();
  }
  template <typename T>
  void invert(const Eigen::Ref<const Mat<T>>& u, Eigen::Ref<Mat<T>> v) const {
    v = ((u.array().colwise() * std.cast<T>().array()).colwise() + mean.cast<T>().array()).matrix();
  }
};

}  // namespace nsbi::nn
