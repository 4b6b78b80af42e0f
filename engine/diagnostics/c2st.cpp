#include "nsbi/diagnostics/c2st.hpp"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <string>
#include <thread>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/nn/adam.hpp"
#include "nsbi/train/logit_losses.hpp"

namespace nsbi {
namespace {

using nn::Mat;

// sklearn's binary_log_loss clips probabilities to [eps, 1 − eps] (float64 eps), so one sample
// contributes at most −log(eps) to the loss.
const double kMaxSampleLoss = -std::log(DBL_EPSILON);

// Streams under StreamId::diagnostics: round 0 assigns folds, round 1 shuffles the minibatches.
// Every fold's classifier uses the same init and shuffle stream, as sklearn's cross_val_score
// clones the classifier with the same random_state for every fold.
constexpr std::uint32_t kFoldRound = 0;
constexpr std::uint32_t kShuffleRound = 1;

void shuffle(std::vector<Eigen::Index>& v, RandomStream& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

struct FoldFit {
  int epochs = 0;
  bool converged = false;
  double final_loss = 0;
};

// Trains one MLPClassifier on the columns `train` of Z (labels y) with sklearn's stochastic solver
// (_fit_stochastic with early_stopping=False).
FoldFit fit(nn::Mlp<float>& net, const Mat<float>& Z, const Mat<float>& y, const std::vector<Eigen::Index>& train,
            const C2stOptions& opt) {
  const Eigen::Index D = Z.rows();
  const Eigen::Index n = static_cast<Eigen::Index>(train.size());
  const Eigen::Index B = std::min<Eigen::Index>(opt.batch_size, n);
  nn::Adam<float> adam(net.parameters().size(), {opt.learning_rate, 0.9, 0.999, 1e-8});
  RandomStream rng(opt.seed, StreamId::diagnostics, kShuffleRound, 0);

  std::vector<Eigen::Index> order = train;  // sklearn's sample_idx, reshuffled in place each epoch
  Mat<float> Xb(D, B), yb(1, B), d_logits(1, B);
  auto& values = net.parameters().values();
  const auto& grads = net.parameters().grads();

  FoldFit out;
  double best_loss = std::numeric_limits<double>::infinity();
  int no_improvement = 0;
  for (int epoch = 0; epoch < opt.max_epochs; ++epoch) {
    shuffle(order, rng);
    double accumulated = 0;
    for (Eigen::Index start = 0; start < n; start += B) {
      const Eigen::Index b = std::min(B, n - start);
      for (Eigen::Index j = 0; j < b; ++j) {
        const Eigen::Index c = order[static_cast<std::size_t>(start + j)];
        Xb.col(j) = Z.col(c);
        yb(0, j) = y(0, c);
      }
      accumulated += c2st_batch_loss<float>(net, Xb.leftCols(b), yb.leftCols(b), opt.l2, d_logits.leftCols(b)) *
                     static_cast<double>(b);
      adam.step(values, grads);
    }
    const double loss = accumulated / static_cast<double>(n);
    // A NaN loss would never count as "no improvement" and run to max_epochs.
    if (!std::isfinite(loss))
      throw NumericalError(make_message("c2st", "classifier training loss in epoch " + std::to_string(epoch + 1),
                                        "a finite value", std::to_string(loss)));
    out.epochs = epoch + 1;
    out.final_loss = loss;
    // sklearn's _update_no_improvement_count, then the `> n_iter_no_change` stop.
    if (loss > best_loss - opt.tol)
      ++no_improvement;
    else
      no_improvement = 0;
    if (loss < best_loss) best_loss = loss;
    if (no_improvement > opt.n_iter_no_change) {
      out.converged = true;
      break;
    }
  }
  return out;
}

// Held-out accuracy: predict 1 when σ(z) > 0.5, i.e. z > 0 (LabelBinarizer's threshold).
double accuracy(nn::Mlp<float>& net, const Mat<float>& Z, const Mat<float>& y, const std::vector<Eigen::Index>& test) {
  const Eigen::Index D = Z.rows();
  const Eigen::Index n = static_cast<Eigen::Index>(test.size());
  Mat<float> X(D, n);
  for (Eigen::Index j = 0; j < n; ++j) X.col(j) = Z.col(test[static_cast<std::size_t>(j)]);
  const Mat<float>& z = net.forward(X);
  Eigen::Index correct = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    const float predicted = z(0, j) > 0.0f ? 1.0f : 0.0f;
    if (predicted == y(0, test[static_cast<std::size_t>(j)])) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

void check_finite(const Eigen::Ref<const Eigen::MatrixXd>& M, const char* what) {
  if (!M.allFinite()) {
    Eigen::Index bad = 0;
    for (Eigen::Index j = 0; j < M.cols(); ++j)
      if (!M.col(j).allFinite()) {
        bad = j;
        break;
      }
    throw NumericalError(make_message("c2st", std::string(what) + " samples", "finite values",
                                      "a non-finite value in sample " + std::to_string(bad)));
  }
}

}  // namespace

void C2stOptions::validate() const {
  auto fail = [](const std::string& key, const std::string& expected, const std::string& found) {
    throw ConfigError(make_message("c2st options", key, expected, found));
  };
  if (folds < 2) fail("folds", ">= 2", std::to_string(folds));
  if (max_epochs < 1) fail("max_epochs", ">= 1", std::to_string(max_epochs));
  if (!(tol >= 0)) fail("tol", ">= 0", std::to_string(tol));
  if (n_iter_no_change < 1) fail("n_iter_no_change", ">= 1", std::to_string(n_iter_no_change));
  if (batch_size < 1) fail("batch_size", ">= 1", std::to_string(batch_size));
  if (!(learning_rate > 0) || !std::isfinite(learning_rate))
    fail("learning_rate", "a finite value > 0", std::to_string(learning_rate));
  if (!(l2 >= 0) || !std::isfinite(l2)) fail("l2", "a finite value >= 0", std::to_string(l2));
  if (threads < 1) fail("threads", ">= 1", std::to_string(threads));
}

template <typename T>
double c2st_batch_loss(nn::Mlp<T>& net, const Eigen::Ref<const Mat<T>>& X, const Eigen::Ref<const Mat<T>>& y,
                       double alpha, Eigen::Ref<Mat<T>> d_logits) {
  const Eigen::Index B = X.cols();
  const double inv_b = 1.0 / static_cast<double>(B);
  // The L2 term uses the weights this step's gradient is taken at (sklearn adds it before the update).
  const double l2_term = 0.5 * alpha * net.weight_square_sum() * inv_b;
  const Mat<T>& z = net.forward(X);
  double bce = 0;
  for (Eigen::Index i = 0; i < B; ++i) {
    // softplus(z) − y z, capped like sklearn's clipped probabilities; the gradient σ(z) − y is
    // not capped (sklearn backpropagates the unclipped probability).
    const train::LogitLoss l = train::bce_with_logits(static_cast<double>(z(0, i)), static_cast<double>(y(0, i)));
    bce += std::min(l.value, kMaxSampleLoss);
    d_logits(0, i) = static_cast<T>(l.gradient * inv_b);
  }
  net.parameters().zero_grad();
  net.backward(d_logits);
  net.add_weight_decay_grad(static_cast<T>(alpha * inv_b));
  return bce * inv_b + l2_term;
}

template double c2st_batch_loss<float>(nn::Mlp<float>&, const Eigen::Ref<const Mat<float>>&,
                                       const Eigen::Ref<const Mat<float>>&, double, Eigen::Ref<Mat<float>>);
template double c2st_batch_loss<double>(nn::Mlp<double>&, const Eigen::Ref<const Mat<double>>&,
                                        const Eigen::Ref<const Mat<double>>&, double, Eigen::Ref<Mat<double>>);

C2stResult c2st_detailed(const Eigen::Ref<const Eigen::MatrixXd>& reference,
                         const Eigen::Ref<const Eigen::MatrixXd>& samples, const C2stOptions& options) {
  options.validate();
  if (reference.rows() != samples.rows())
    throw ShapeError(make_message("c2st", "samples dimension", std::to_string(reference.rows()) + " (reference dimension)",
                                  std::to_string(samples.rows())));
  const Eigen::Index D = reference.rows();
  if (D < 1) throw ShapeError(make_message("c2st", "dimension", ">= 1", "0"));
  auto used = [&](Eigen::Index n) {
    return options.max_samples == 0 ? n : std::min<Eigen::Index>(n, static_cast<Eigen::Index>(options.max_samples));
  };
  const Eigen::Index n_ref = used(reference.cols()), n_smp = used(samples.cols());
  if (n_ref < 2 || n_smp < 2)
    throw ConfigError(make_message("c2st", "number of reference and algorithm samples", ">= 2 each",
                                   std::to_string(n_ref) + " (reference) and " + std::to_string(n_smp) + " (samples)"));
  const Eigen::Index n = n_ref + n_smp;
  if (n < options.folds)
    throw ConfigError(make_message("c2st", "total number of samples", ">= folds (" + std::to_string(options.folds) + ")",
                                   std::to_string(n)));
  const Eigen::Ref<const Eigen::MatrixXd> R = reference.leftCols(n_ref);
  const Eigen::Ref<const Eigen::MatrixXd> S = samples.leftCols(n_smp);
  check_finite(R, "reference");
  check_finite(S, "algorithm");

  // z-score by the reference: (v − mean_X) / std_X, std with n−1 as torch.std.
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(D), scale = Eigen::VectorXd::Ones(D);
  if (options.z_score) {
    mean = R.rowwise().mean();
    const Eigen::VectorXd var = (R.colwise() - mean).rowwise().squaredNorm() / static_cast<double>(n_ref - 1);
    for (Eigen::Index d = 0; d < D; ++d)
      if (var(d) > 0) scale(d) = std::sqrt(var(d));
  }
  Mat<float> Z(D, n), y(1, n);
  Z.leftCols(n_ref) = ((R.colwise() - mean).array().colwise() / scale.array()).cast<float>();
  Z.rightCols(n_smp) = ((S.colwise() - mean).array().colwise() / scale.array()).cast<float>();
  y.leftCols(n_ref).setZero();
  y.rightCols(n_smp).setOnes();

  // KFold(shuffle=True): permute the indices, cut them into `folds` consecutive test blocks, the
  // first n % folds blocks one longer; each training set keeps the remaining indices in order.
  std::vector<Eigen::Index> perm(static_cast<std::size_t>(n));
  std::iota(perm.begin(), perm.end(), Eigen::Index{0});
  RandomStream fold_rng(options.seed, StreamId::diagnostics, kFoldRound, 0);
  shuffle(perm, fold_rng);

  const int H = 10 * static_cast<int>(D);
  C2stResult result;
  result.dim = D;
  result.n_reference = n_ref;
  result.n_samples = n_smp;
  const auto K = static_cast<std::size_t>(options.folds);
  std::vector<FoldFit> fits(K);
  std::vector<double> accuracies(K);
  std::vector<Eigen::Index> fold_start(K + 1, 0);
  for (std::size_t k = 0; k < K; ++k)
    fold_start[k + 1] = fold_start[k] + n / options.folds + (static_cast<Eigen::Index>(k) < n % options.folds ? 1 : 0);

  // Each fold reads Z and y and owns everything else, so folds may run on separate threads and
  // the result is the same for any thread count.
  auto run_fold = [&](std::size_t k) {
    std::vector<Eigen::Index> test(perm.begin() + fold_start[k], perm.begin() + fold_start[k + 1]);
    std::vector<char> in_test(static_cast<std::size_t>(n), 0);
    for (const Eigen::Index i : test) in_test[static_cast<std::size_t>(i)] = 1;
    std::vector<Eigen::Index> train;
    train.reserve(static_cast<std::size_t>(n) - test.size());
    for (Eigen::Index i = 0; i < n; ++i)
      if (!in_test[static_cast<std::size_t>(i)]) train.push_back(i);

    nn::Mlp<float> net({static_cast<int>(D), H, H, 1}, nn::Activation::relu, options.seed, /*glorot=*/true);
    fits[k] = fit(net, Z, y, train, options);
    accuracies[k] = accuracy(net, Z, y, test);
  };
  const std::size_t n_threads = std::min<std::size_t>(static_cast<std::size_t>(options.threads), K);
  if (n_threads <= 1) {
    for (std::size_t k = 0; k < K; ++k) run_fold(k);
  } else {
    std::atomic<std::size_t> next{0};
    std::vector<std::exception_ptr> errors(n_threads);
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < n_threads; ++t)
      pool.emplace_back([&, t] {
        try {
          for (std::size_t k; (k = next.fetch_add(1)) < K;) run_fold(k);
        } catch (...) {
          errors[t] = std::current_exception();
          next = K;
        }
      });
    for (auto& th : pool) th.join();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  for (std::size_t k = 0; k < K; ++k) {
    result.fold_accuracies.push_back(accuracies[k]);
    result.fold_epochs.push_back(fits[k].epochs);
    result.fold_converged.push_back(fits[k].converged);
    result.fold_final_loss.push_back(fits[k].final_loss);
  }
  result.accuracy = std::accumulate(result.fold_accuracies.begin(), result.fold_accuracies.end(), 0.0) /
                    static_cast<double>(options.folds);
  return result;
}

double c2st(const Eigen::Ref<const Eigen::MatrixXd>& reference, const Eigen::Ref<const Eigen::MatrixXd>& samples,
            const C2stOptions& options) {
  return c2st_detailed(reference, samples, options).accuracy;
}

}  // namespace nsbi
