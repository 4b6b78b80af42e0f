// libFuzzer harness: decode_checkpoint (the run directory's checkpoint-NNNNNN.bin, issue 11) on
// arbitrary bytes. The fingerprint is taken from the input's own header, as a resuming run of the
// same configuration would pass it, and when the input is long enough the harness writes the
// payload size and the CRC-32 that match it, so mutations reach the Boost.Serialization payload
// reader instead of stopping at a size or CRC mismatch (those paths are covered by
// tests/unit/inference/run_checkpoint_test.cpp). A bad file must end in one CheckpointError; a
// file that loads must encode back to the same bytes.
#include <boost/crc.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/run_checkpoint.hpp"
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // "NSBICKPT" | u32 version | u64 fingerprint | u64 payload bytes | payload | u32 crc
  constexpr std::size_t kHeader = 28;
  std::string b(reinterpret_cast<const char*>(data), size);
  std::uint64_t fingerprint = 1;
  if (b.size() >= kHeader + 4) {
    std::memcpy(&fingerprint, b.data() + 12, 8);
    const std::uint64_t payload = b.size() - kHeader - 4;
    std::memcpy(b.data() + 20, &payload, 8);
    boost::crc_32_type crc;
    crc.process_bytes(b.data(), b.size() - 4);
    const std::uint32_t v = crc.checksum();
    std::memcpy(b.data() + b.size() - 4, &v, 4);
  }
  try {
    const nsbi::CheckpointContent c = nsbi::decode_checkpoint(b, "fuzz.bin", fingerprint);
    nsbi::fuzz::require(nsbi::encode_checkpoint(c) == b, "a loaded checkpoint encodes to its own bytes");
  } catch (const nsbi::CheckpointError&) {
  }
  return 0;
}
