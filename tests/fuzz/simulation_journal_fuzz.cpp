// libFuzzer harness: SimulationJournal::resume on arbitrary bytes (the project's checkpoint-like
// loader; the full checkpoint loader of issue 11 does not exist yet). The run fingerprint and
// dimensions are taken from the input's own header when it has one, as a resuming run of the
// same configuration would pass them, and the harness rewrites every CRC-32 it can locate before
// writing the file, so mutations reach the chunk parser instead of stopping at a CRC mismatch
// (the mismatch path itself is covered by tests/unit/farm/simulation_journal_test.cpp). A bad
// file must end in one nsbi::Error; a file that loads must hold only whole, consistent chunks.
#include <cstddef>
#include <cstdint>
#include <boost/crc.hpp>
#include <cstring>
#include <filesystem>
#include <vector>

#include "nsbi/core/error.hpp"
#include "nsbi/farm/simulation_journal.hpp"
#include "tests/fuzz/fuzz_util.hpp"

namespace {

template <typename T>
T field(const std::vector<std::uint8_t>& b, std::size_t offset, T fallback) {
  if (b.size() < offset + sizeof(T)) return fallback;
  T v;
  std::memcpy(&v, b.data() + offset, sizeof(T));
  return v;
}

void store_crc(std::vector<std::uint8_t>& b, std::size_t begin, std::size_t end) {
  boost::crc_32_type crc;
  crc.process_bytes(b.data() + begin, end - begin);
  const std::uint32_t v = crc.checksum();
  std::memcpy(b.data() + end, &v, 4);
}

/// Writes θ/x dimensions into the header and recomputes the header's and each chunk's CRC.
void fix_up(std::vector<std::uint8_t>& b, int theta_dim, int x_dim) {
  constexpr std::size_t kHeader = 32, kChunkHead = 32;
  if (b.size() < kHeader) return;
  const auto td = static_cast<std::uint32_t>(theta_dim), xd = static_cast<std::uint32_t>(x_dim);
  std::memcpy(b.data() + 20, &td, 4);
  std::memcpy(b.data() + 24, &xd, 4);
  store_crc(b, 0, kHeader - 4);
  std::size_t pos = kHeader;
  while (b.size() - pos >= kChunkHead) {
    const auto count = field<std::uint64_t>(b, pos + 16, 0);
    const std::size_t per = 1 + 4 + 8 * static_cast<std::size_t>(theta_dim + x_dim);
    if (count == 0 || count > b.size() || (b.size() - pos - kChunkHead) / per < count) return;
    const std::size_t body_end = pos + kChunkHead + count * per;
    if (b.size() - body_end < 4) return;
    store_crc(b, pos, body_end);
    pos = body_end + 4;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = nsbi::fuzz::scratch_path(".journal");
  std::vector<std::uint8_t> bytes(data, data + size);
  // header: "NSBIJRNL" | u32 version | u64 fingerprint | u32 theta_dim | u32 x_dim | u32 crc
  const auto fingerprint = field<std::uint64_t>(bytes, 12, 1);
  auto theta_dim = static_cast<int>(field<std::uint32_t>(bytes, 20, 2));
  auto x_dim = static_cast<int>(field<std::uint32_t>(bytes, 24, 2));
  // A configuration's dimensions are small; keep the fuzzer from spending its time on huge ones.
  if (theta_dim < 1 || theta_dim > 64) theta_dim = 2;
  if (x_dim < 1 || x_dim > 64) x_dim = 2;
  fix_up(bytes, theta_dim, x_dim);
  nsbi::fuzz::write_file(path, bytes.data(), bytes.size());
  try {
    auto journal = nsbi::farm::SimulationJournal::resume(path, fingerprint, theta_dim, x_dim);
    std::size_t simulations = 0;
    for (std::uint32_t round = 0; round < 4; ++round) {
      for (const auto& chunk : journal.chunks_of_round(round)) {
        const auto n = static_cast<Eigen::Index>(chunk.result.status.size());
        nsbi::fuzz::require(chunk.theta.rows() == theta_dim && chunk.theta.cols() == n, "chunk theta shape");
        nsbi::fuzz::require(chunk.result.x.rows() == x_dim && chunk.result.x.cols() == n, "chunk x shape");
        simulations += static_cast<std::size_t>(n);
      }
    }
    nsbi::fuzz::require(simulations <= journal.simulations_read(), "simulations_read");
    nsbi::fuzz::require(journal.dropped_bytes() <= size, "dropped more bytes than the file holds");
  } catch (const nsbi::Error&) {
  }
  return 0;
}
