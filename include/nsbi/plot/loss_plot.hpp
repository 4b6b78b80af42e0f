#pragma once
// Training and validation loss per epoch, round after round, from a run's report.json.
#include <string>
#include <vector>

#include "nsbi/io/json_reader.hpp"

namespace nsbi::plot {

/// One round's loss curves; NaN where report.json holds null (a non-finite loss).
struct RoundLosses {
  int round = 0;
  std::vector<double> train, val;
};

/// The rounds of report.json (`rounds: [{round, train_loss: [...], val_loss: [...]}, ...]`) that
/// trained; rounds without `train_loss` (a round that only simulates) are left out. IoError naming
/// `where` and the member when the structure differs (not an array, a non-number entry, train and
/// validation curves of different lengths).
std::vector<RoundLosses> read_round_losses(const JsonValue& report, const std::string& where);

/// The SVG: both curves against the epoch counted over all rounds, rounds separated by dashed
/// lines and labelled; a gap where a loss is non-finite. Requires at least one epoch.
std::string loss_plot_svg(const std::vector<RoundLosses>& rounds);

}  // namespace nsbi::plot
