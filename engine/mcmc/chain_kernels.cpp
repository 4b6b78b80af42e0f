#include "nsbi/mcmc/chain_kernels.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"

namespace nsbi::mcmc {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// The density's value with NaN read as −inf (a NaN never wins a comparison either way, but the
/// stored log density of a chain must be a number).
double finite_or_neg_inf(double v) { return std::isnan(v) ? kNegInf : v; }

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}

// ---- slice ------------------------------------------------------------------------------------

class SliceKernel final : public ChainKernel {
 public:
  SliceKernel(const KernelOptions& o, int warmup) : opt_(o), warmup_(warmup) {}
  std::string name() const override { return "slice"; }

  void attach(const ChainGroup& g) override {
    const int D = g.dim(), G = g.size();
    if (opt_.initial_width.size() != D || !(opt_.initial_width.array() > 0).all() || !opt_.initial_width.allFinite())
      throw NumericalError(make_message("slice sampler", "initial interval widths", std::to_string(D) +
                                        " positive finite values", "other values"));
    width_ = opt_.initial_width.replicate(1, G);
    order_.assign(static_cast<std::size_t>(D * G), 0);
    d_.resize(G);
    x0_.resize(G);
    log_y_.resize(G);
    left_.resize(G);
    right_.resize(G);
    x1_.resize(G);
    j_.resize(G);
    k_.resize(G);
    batch_.resize(D, 2 * G);
    values_.resize(2 * G);
    who_.resize(2 * static_cast<std::size_t>(G));
    active_.resize(static_cast<std::size_t>(G));
  }

  void step(ChainGroup& g, const LogDensity& density, int warmup_step) override {
    const int D = g.dim(), G = g.size();
    // This step's coordinate order of each chain: a uniform permutation from its stream.
    for (int c = 0; c < G; ++c) {
      int* o = order_.data() + static_cast<std::ptrdiff_t>(c) * D;
      for (int i = 0; i < D; ++i) o[i] = i;
      for (int i = D - 1; i > 0; --i) std::swap(o[i], o[g.rng[c].below(static_cast<std::uint64_t>(i) + 1)]);
    }
    for (int s = 0; s < D; ++s) {
      // The slice at height log y under the current point, and a randomly placed interval of
      // width w around it with the expansion budget split at random between its two ends.
      for (int c = 0; c < G; ++c) {
        RandomStream& rng = g.rng[c];
        const int d = order_[static_cast<std::size_t>(c * D + s)];
        d_[c] = d;
        x0_[c] = g.u(d, c);
        log_y_[c] = g.log_density(c) + std::log(rng.uniform());
        const double w = width_(d, c);
        left_[c] = x0_[c] - w * rng.uniform();
        right_[c] = left_[c] + w;
        j_[c] = static_cast<int>(std::floor(opt_.max_expansions * rng.uniform()));
        k_[c] = opt_.max_expansions - 1 - j_[c];
      }
      step_out(g, density);
      shrink(g, density);
      if (warmup_step >= 0) {
        // Running mean of the interval the new point was drawn from (the initial width counts
        // as the first observation).
        for (int c = 0; c < G; ++c) {
          double& w = width_(d_[c], c);
          w += (last_interval_[c] - w) / (warmup_step + 2.0);
        }
      }
    }
    ++g.steps;
  }

  std::string adaptation_summary() const override {
    if (width_.size() == 0) return "slice widths: none";
    const Eigen::VectorXd mean = width_.rowwise().mean();
    std::string s = "slice interval widths (mean over chains, unconstrained space):";
    for (Eigen::Index d = 0; d < mean.size(); ++d) s += " " + fmt(mean(d));
    return s;
  }

 private:
  /// Column b of the batch: chain c's point with coordinate d_[c] set to v.
  void put(const ChainGroup& g, Eigen::Index b, int c, double v) {
    batch_.col(b) = g.u.col(c);
    batch_(d_[c], b) = v;
  }

  void evaluate(ChainGroup& g, const LogDensity& density, Eigen::Index n) {
    density(batch_.leftCols(n), values_.head(n));
    for (Eigen::Index b = 0; b < n; ++b) ++g.evaluations[static_cast<std::size_t>(who_[b] >> 1)];
  }

  // Neal (2003), fig. 3: while an end lies inside the slice and its share of the m expansions is
  // not used up, move it out by w. Every round evaluates all ends still moving in one batch.
  void step_out(ChainGroup& g, const LogDensity& density) {
    const int G = g.size();
    // who_ entries: chain·2 + side (0 left, 1 right). An end whose share of the budget is zero
    // is never evaluated (Neal's loop condition "J > 0 and y < f(L)" stops at J = 0), so
    // max_expansions = 1 is the fixed-width interval with shrinkage only.
    for (int c = 0; c < G; ++c) active_[c] = (j_[c] > 0 ? 1 : 0) | (k_[c] > 0 ? 2 : 0);
    for (;;) {
      Eigen::Index n = 0;
      for (int c = 0; c < G; ++c) {
        if (active_[c] & 1) {
          put(g, n, c, left_[c]);
          who_[n++] = 2 * c;
        }
        if (active_[c] & 2) {
          put(g, n, c, right_[c]);
          who_[n++] = 2 * c + 1;
        }
      }
      if (n == 0) return;
      evaluate(g, density, n);
      for (Eigen::Index b = 0; b < n; ++b) {
        const int c = who_[b] >> 1, side = who_[b] & 1;
        const double w = width_(d_[c], c);
        const bool inside = values_(b) > log_y_[c];
        if (side == 0) {
          if (inside) {
            left_[c] -= w;
            ++g.expansions[c];
          }
          if (!inside || --j_[c] == 0) active_[c] &= ~1;
        } else {
          if (inside) {
            right_[c] += w;
            ++g.expansions[c];
          }
          if (!inside || --k_[c] == 0) active_[c] &= ~2;
        }
      }
    }
  }

  // Neal (2003), fig. 5: draw uniformly from the interval, accept inside the slice, otherwise
  // shrink the interval towards the current point at the rejected draw.
  void shrink(ChainGroup& g, const LogDensity& density) {
    const int G = g.size();
    last_interval_.resize(G);
    std::fill(active_.begin(), active_.end(), 1);
    for (int tries = 0;; ++tries) {
      Eigen::Index n = 0;
      for (int c = 0; c < G; ++c) {
        if (!active_[c]) continue;
        x1_[c] = left_[c] + g.rng[c].uniform() * (right_[c] - left_[c]);
        put(g, n, c, x1_[c]);
        who_[n++] = 2 * c;
      }
      if (n == 0) return;
      if (tries == opt_.max_shrinks)
        throw NumericalError(make_message(
            "slice sampler, chain " + std::to_string(g.chain[static_cast<std::size_t>(who_[0] >> 1)]),
            "a point inside the slice", "within " + std::to_string(opt_.max_shrinks) + " shrinkage steps",
            "none: the log density is not finite or not continuous near the chain's position"));
      evaluate(g, density, n);
      for (Eigen::Index b = 0; b < n; ++b) {
        const int c = who_[b] >> 1;
        if (values_(b) > log_y_[c]) {
          last_interval_[c] = right_[c] - left_[c];
          g.u(d_[c], c) = x1_[c];
          g.log_density(c) = values_(b);
          active_[c] = 0;
        } else if (x1_[c] < x0_[c]) {
          left_[c] = x1_[c];
        } else {
          right_[c] = x1_[c];
        }
      }
    }
  }

  KernelOptions opt_;
  int warmup_;
  Eigen::MatrixXd width_;  // D×G
  std::vector<int> order_, d_, j_, k_, who_;
  std::vector<double> x0_, log_y_, left_, right_, x1_, last_interval_;
  std::vector<int> active_;
  Eigen::MatrixXd batch_;
  Eigen::VectorXd values_;
};

// ---- Metropolis–Hastings ----------------------------------------------------------------------

class MetropolisKernel final : public ChainKernel {
 public:
  MetropolisKernel(const KernelOptions& o, int warmup) : opt_(o), warmup_(warmup) {}
  std::string name() const override { return "mh"; }

  void attach(const ChainGroup& g) override {
    const int D = g.dim(), G = g.size();
    Eigen::LLT<Eigen::MatrixXd> llt(opt_.initial_covariance);
    if (opt_.initial_covariance.rows() != D || llt.info() != Eigen::Success)
      throw NumericalError(make_message("metropolis sampler", "initial proposal covariance",
                                        std::to_string(D) + "×" + std::to_string(D) + " positive definite",
                                        "a matrix that is not"));
    const double s0 = opt_.initial_scale > 0 ? opt_.initial_scale : 2.38 / std::sqrt(static_cast<double>(D));
    chol_.assign(static_cast<std::size_t>(G), llt.matrixL());
    log_scale_.assign(static_cast<std::size_t>(G), std::log(s0));
    mean_.assign(static_cast<std::size_t>(G), Eigen::VectorXd::Zero(D));
    m2_.assign(static_cast<std::size_t>(G), Eigen::MatrixXd::Zero(D, D));
    seen_.assign(static_cast<std::size_t>(G), 0);
    proposal_.resize(D, G);
    values_.resize(G);
    z_.resize(D);
    step_.resize(D);
  }

  void step(ChainGroup& g, const LogDensity& density, int warmup_step) override {
    const int D = g.dim(), G = g.size();
    for (int c = 0; c < G; ++c) {
      for (int i = 0; i < D; ++i) z_(i) = g.rng[c].normal();
      step_.noalias() = chol_[c].triangularView<Eigen::Lower>() * z_;
      proposal_.col(c) = g.u.col(c) + std::exp(log_scale_[c]) * step_;
    }
    density(proposal_, values_);
    for (int c = 0; c < G; ++c) {
      ++g.evaluations[c];
      const double v = finite_or_neg_inf(values_(c));
      const double log_alpha = std::min(0.0, v - g.log_density(c));
      if (std::log(g.rng[c].uniform()) < log_alpha) {
        g.u.col(c) = proposal_.col(c);
        g.log_density(c) = v;
        ++g.accepted[c];
      }
      if (warmup_step >= 0) adapt(g, c, warmup_step, std::exp(log_alpha));
    }
    ++g.steps;
  }

  std::string adaptation_summary() const override {
    if (log_scale_.empty()) return "mh: none";
    double s = 0;
    for (double l : log_scale_) s += std::exp(l);
    return "mh proposal scale (mean over chains): " + fmt(s / static_cast<double>(log_scale_.size()));
  }

 private:
  void adapt(const ChainGroup& g, int c, int t, double alpha) {
    // Robbins–Monro on log s towards the acceptance 0.234 of a random walk (Roberts et al. 1997).
    log_scale_[c] += (alpha - 0.234) / std::pow(t + 1.0, 0.6);
    // The chain's running covariance (Welford) and, after a quarter of the warm-up, Σ from it.
    const Eigen::VectorXd x = g.u.col(c);
    const double n = static_cast<double>(++seen_[c]);
    const Eigen::VectorXd delta = x - mean_[c];
    mean_[c] += delta / n;
    m2_[c] += delta * (x - mean_[c]).transpose();
    if (t + 1 >= std::max(warmup_ / 4, g.dim() + 1) && n > g.dim()) {
      Eigen::MatrixXd cov = m2_[c] / (n - 1);
      const double ridge = 1e-8 * std::max(cov.diagonal().mean(), 1e-300);
      cov.diagonal().array() += ridge;
      Eigen::LLT<Eigen::MatrixXd> llt(cov);
      if (llt.info() == Eigen::Success && llt.matrixL().toDenseMatrix().allFinite()) chol_[c] = llt.matrixL();
    }
  }

  KernelOptions opt_;
  int warmup_;
  std::vector<Eigen::MatrixXd> chol_, m2_;
  std::vector<Eigen::VectorXd> mean_;
  std::vector<double> log_scale_;
  std::vector<std::int64_t> seen_;
  Eigen::MatrixXd proposal_;
  Eigen::VectorXd values_, z_, step_;
};

}  // namespace

const std::vector<std::string>& chain_kernel_names() {
  static const std::vector<std::string> names{"slice", "mh"};
  return names;
}

std::unique_ptr<ChainKernel> make_chain_kernel(const std::string& sampler, const KernelOptions& options,
                                               int warmup_steps) {
  if (sampler == "slice") return std::make_unique<SliceKernel>(options, warmup_steps);
  if (sampler == "mh") return std::make_unique<MetropolisKernel>(options, warmup_steps);
  throw ConfigError(make_message("mcmc.sampler", "sampler", "\"slice\" or \"mh\"", "\"" + sampler + "\""));
}

}  // namespace nsbi::mcmc
