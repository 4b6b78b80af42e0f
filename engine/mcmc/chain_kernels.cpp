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
  explicit SliceKernel(const KernelOptions& o) : opt_(o) {}
  std::string name() const override { return "slice"; }

  void attach(const ChainGroup& g) override {
    const int D = g.dim(), G = g.size();
    if (opt_.initial_width.size() != D || !(opt_.initial_width.array() > 0).all() || !opt_.initial_width.allFinite())
      throw NumericalError(make_message("slice sampler", "initial interval widths", std::to_string(D) +
                                        " positive finite values", "other values"));
    width_ = opt_.initial_width.replicate(1, G);
    order_.assign(static_cast<std::size_t>(D * G), 0);
    st_.assign(static_cast<std::size_t>(G), State{});
    batch_.resize(D, G);
    values_.resize(G);
    who_.resize(static_cast<std::size_t>(G));
  }

  // Every chain of the group sweeps its coordinates on its own: a chain is a small state machine
  // (stepping out to the left, to the right, shrinking) and every density call evaluates the one
  // point each unfinished chain needs next. A chain's draws therefore depend on its own stream
  // and state only, and every call holds as many columns as chains are still sweeping.
  void step(ChainGroup& g, const LogDensity& density, int warmup_step) override {
    const int D = g.dim(), G = g.size();
    for (int c = 0; c < G; ++c) {
      // This step's coordinate order: a uniform permutation from the chain's stream.
      int* o = order_.data() + static_cast<std::ptrdiff_t>(c) * D;
      for (int i = 0; i < D; ++i) o[i] = i;
      for (int i = D - 1; i > 0; --i) std::swap(o[i], o[g.rng[c].below(static_cast<std::uint64_t>(i) + 1)]);
      st_[c].s = 0;
      begin_coordinate(g, c);
    }
    for (;;) {
      Eigen::Index n = 0;
      for (int c = 0; c < G; ++c) {
        const State& t = st_[c];
        if (t.phase == Phase::done) continue;
        batch_.col(n) = g.u.col(c);
        batch_(t.d, n) = t.phase == Phase::left ? t.left : t.phase == Phase::right ? t.right : t.x1;
        who_[n++] = c;
      }
      if (n == 0) break;
      density(batch_.leftCols(n), values_.head(n));
      for (Eigen::Index b = 0; b < n; ++b) {
        const int c = who_[b];
        ++g.evaluations[c];
        advance(g, c, values_(b), warmup_step);
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

  std::vector<double> save_state() const override {
    return std::vector<double>(width_.data(), width_.data() + width_.size());
  }
  void load_state(const std::vector<double>& state) override {
    if (state.size() != static_cast<std::size_t>(width_.size()))
      throw CheckpointError(make_message("slice sampler state", "values", std::to_string(width_.size()) +
                                         " interval widths", std::to_string(state.size())));
    width_ = Eigen::Map<const Eigen::MatrixXd>(state.data(), width_.rows(), width_.cols());
  }

 private:
  enum class Phase { left, right, shrink, done };
  struct State {
    Phase phase = Phase::done;
    int s = 0, d = 0, j = 0, k = 0, shrinks = 0;
    double x0 = 0, log_y = 0, left = 0, right = 0, x1 = 0;
  };

  // The slice at height log y under the current point, and a randomly placed interval of width w
  // around it with the expansion budget m split at random between its two ends (Neal 2003,
  // fig. 3). An end whose share is zero is never evaluated (the loop condition "J > 0 and
  // y < f(L)" stops at J = 0), so max_expansions = 1 is the fixed interval with shrinkage only.
  void begin_coordinate(ChainGroup& g, int c) {
    State& t = st_[c];
    RandomStream& rng = g.rng[c];
    t.d = order_[static_cast<std::size_t>(c * g.dim() + t.s)];
    t.x0 = g.u(t.d, c);
    t.log_y = g.log_density(c) + std::log(rng.uniform());
    const double w = width_(t.d, c);
    t.left = t.x0 - w * rng.uniform();
    t.right = t.left + w;
    t.j = static_cast<int>(std::floor(opt_.max_expansions * rng.uniform()));
    t.k = opt_.max_expansions - 1 - t.j;
    t.shrinks = 0;
    if (t.j > 0) t.phase = Phase::left;
    else to_right(g, c);
  }
  void to_right(ChainGroup& g, int c) {
    State& t = st_[c];
    if (t.k > 0) t.phase = Phase::right;
    else to_shrink(g, c);
  }
  // Neal (2003), fig. 5: a uniform draw from the interval.
  void to_shrink(ChainGroup& g, int c) {
    State& t = st_[c];
    t.phase = Phase::shrink;
    t.x1 = t.left + g.rng[c].uniform() * (t.right - t.left);
  }

  void advance(ChainGroup& g, int c, double value, int warmup_step) {
    State& t = st_[c];
    const bool inside = value > t.log_y;  // NaN is outside
    switch (t.phase) {
      case Phase::left:
        if (inside) {
          t.left -= width_(t.d, c);
          ++g.expansions[c];
        }
        if (!inside || --t.j == 0) to_right(g, c);
        return;
      case Phase::right:
        if (inside) {
          t.right += width_(t.d, c);
          ++g.expansions[c];
        }
        if (!inside || --t.k == 0) to_shrink(g, c);
        return;
      case Phase::shrink:
        if (inside) {
          if (warmup_step >= 0) {
            // Running mean of the interval the new point was drawn from (the initial width
            // counts as the first observation).
            double& w = width_(t.d, c);
            w += (t.right - t.left - w) / (warmup_step + 2.0);
          }
          g.u(t.d, c) = t.x1;
          g.log_density(c) = value;
          if (++t.s == g.dim()) t.phase = Phase::done;
          else begin_coordinate(g, c);
          return;
        }
        if (++t.shrinks == opt_.max_shrinks)
          throw NumericalError(make_message(
              "slice sampler, chain " + std::to_string(g.chain[static_cast<std::size_t>(c)]), "a point inside the slice",
              "within " + std::to_string(opt_.max_shrinks) + " shrinkage steps",
              "none: the log density is not finite or not continuous near the chain's position"));
        if (t.x1 < t.x0) t.left = t.x1;
        else t.right = t.x1;
        to_shrink(g, c);
        return;
      case Phase::done: return;
    }
  }

  KernelOptions opt_;
  Eigen::MatrixXd width_;  // D×G
  std::vector<int> order_, who_;
  std::vector<State> st_;
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

  // Per chain: log s, the number of warm-up states seen, the running mean (D), the running
  // second moment (D×D) and the proposal's Cholesky factor (D×D).
  std::vector<double> save_state() const override {
    std::vector<double> out;
    for (std::size_t c = 0; c < log_scale_.size(); ++c) {
      out.push_back(log_scale_[c]);
      out.push_back(static_cast<double>(seen_[c]));
      out.insert(out.end(), mean_[c].data(), mean_[c].data() + mean_[c].size());
      out.insert(out.end(), m2_[c].data(), m2_[c].data() + m2_[c].size());
      out.insert(out.end(), chol_[c].data(), chol_[c].data() + chol_[c].size());
    }
    return out;
  }
  void load_state(const std::vector<double>& state) override {
    const Eigen::Index D = proposal_.rows();
    const std::size_t per = static_cast<std::size_t>(2 + D + 2 * D * D);
    if (state.size() != per * log_scale_.size())
      throw CheckpointError(make_message("metropolis sampler state", "values",
                                         std::to_string(per * log_scale_.size()), std::to_string(state.size())));
    const double* p = state.data();
    for (std::size_t c = 0; c < log_scale_.size(); ++c) {
      log_scale_[c] = *p++;
      seen_[c] = static_cast<std::int64_t>(*p++);
      mean_[c] = Eigen::Map<const Eigen::VectorXd>(p, D);
      p += D;
      m2_[c] = Eigen::Map<const Eigen::MatrixXd>(p, D, D);
      p += D * D;
      chol_[c] = Eigen::Map<const Eigen::MatrixXd>(p, D, D);
      p += D * D;
    }
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
  if (sampler == "slice") return std::make_unique<SliceKernel>(options);
  if (sampler == "mh") return std::make_unique<MetropolisKernel>(options, warmup_steps);
  throw ConfigError(make_message("mcmc.sampler", "sampler", "\"slice\" or \"mh\"", "\"" + sampler + "\""));
}

}  // namespace nsbi::mcmc
