#pragma once
// Classifier two-sample test (C2ST; Lopez-Paz & Oquab 2017) exactly as the sbibm benchmark
// computes it (Lueckmann et al. 2021, sbibm/metrics/c2st.py): z-score both samples with the
// reference's mean and unbiased std, label reference 0 and samples 1, and report the mean
// held-out accuracy of scikit-learn's MLPClassifier over a shuffled 5-fold split. 0.5 means the
// classifier cannot tell the samples apart, 1.0 means they are perfectly separable.
//
// The classifier replicates MLPClassifier(hidden_layer_sizes=(10·D, 10·D), activation="relu",
// solver="adam", max_iter=10000) with every other default: Glorot-uniform init, logistic output
// with binary cross-entropy, L2 penalty α/(2·batch)·ΣW² on weights only, Adam lr 1e-3, batch
// min(200, n), reshuffled every epoch, stopped when the epoch's mean training loss has not
// improved on the best by more than tol for more than n_iter_no_change consecutive epochs.
// Random numbers come from nsbi's Philox streams, so fold assignment and initial weights differ
// from sklearn's (results agree in distribution, not bit for bit).
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "nsbi/nn/mlp.hpp"

namespace nsbi {

struct C2stOptions {
  int folds = 5;                   // KFold(n_splits=5, shuffle=True)
  std::uint64_t seed = 1;          // folds, initial weights and epoch shuffles
  int max_epochs = 10000;          // sklearn max_iter
  double tol = 1e-4;               // sklearn tol
  int n_iter_no_change = 10;       // sklearn n_iter_no_change
  int batch_size = 200;            // sklearn batch_size="auto" → min(200, n_train)
  double learning_rate = 1e-3;     // sklearn learning_rate_init
  double l2 = 1e-4;                // sklearn alpha
  bool z_score = true;             // by the reference's mean and unbiased std (sbibm default)
  std::size_t max_samples = 10000; // first max_samples of each sample set; 0 = all
  int threads = 1;                 // folds trained concurrently; the result does not depend on it

  /// Throws ConfigError naming the first invalid field.
  void validate() const;
};

struct C2stResult {
  double accuracy = 0;                  // mean of fold_accuracies: the C2ST value
  std::vector<double> fold_accuracies;  // held-out accuracy of each fold
  std::vector<int> fold_epochs;         // epochs trained in each fold
  std::vector<bool> fold_converged;     // false when a fold stopped at max_epochs
  std::vector<double> fold_final_loss;  // last epoch's mean training loss (BCE + L2 term)
  Eigen::Index dim = 0;                 // D
  Eigen::Index n_reference = 0;         // reference samples used (≤ max_samples)
  Eigen::Index n_samples = 0;           // algorithm samples used (≤ max_samples)
};

/// C2ST accuracy with fold-level details. reference and samples are D×N_r and D×N_s (one sample
/// per column, the same D). Throws ShapeError for different dimensions, NumericalError for
/// non-finite entries, ConfigError for invalid options or too few samples (each side needs ≥ 2,
/// together ≥ folds). A reference dimension with zero spread is left unscaled (sbibm would
/// divide by zero).
C2stResult c2st_detailed(const Eigen::Ref<const Eigen::MatrixXd>& reference,
                         const Eigen::Ref<const Eigen::MatrixXd>& samples, const C2stOptions& options = {});

/// c2st_detailed(...).accuracy.
double c2st(const Eigen::Ref<const Eigen::MatrixXd>& reference, const Eigen::Ref<const Eigen::MatrixXd>& samples,
            const C2stOptions& options = {});

/// One minibatch of sklearn's MLPClassifier objective for a net with one output (the logit z):
///   loss = (1/B) Σ_i [softplus(z_i) − y_i z_i] + (α / 2B) Σ_layers ‖W‖²
/// (each sample's cross-entropy capped at −log(DBL_EPSILON), sklearn's probability clip). Runs
/// forward and backward on `net`: its gradient buffer is overwritten with ∂loss/∂parameters,
/// i.e. (σ(z) − y)/B backpropagated plus (α/B)·W on weights. X is D×B, y is 1×B of 0/1,
/// d_logits is a 1×B workspace. Returns the loss.
template <typename T>
double c2st_batch_loss(nn::Mlp<T>& net, const Eigen::Ref<const nn::Mat<T>>& X, const Eigen::Ref<const nn::Mat<T>>& y,
                       double alpha, Eigen::Ref<nn::Mat<T>> d_logits);

}  // namespace nsbi
