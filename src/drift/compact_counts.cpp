// Varint storage forms of SampleCounts and label counts, and the flat sum over many of
// them. The wide form (SampleCounts::to_bytes, docs/drift.md "Storage blobs") is the
// interchange between the two: encoding reads it, SampleSum::to_sample() writes it.

#include "driftd/drift/compact_counts.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <string>

namespace driftd::drift {
namespace {

constexpr std::uint8_t k_compact_format = 1;
constexpr std::uint8_t k_labels_format = 1;
constexpr std::size_t k_wide_header = 40;   // SampleCounts blob header
constexpr std::size_t k_wide_feature = 24;  // ClipBinCounts blob header
constexpr std::uint64_t k_max_features = 4096;
constexpr std::uint64_t k_max_bins = 1000;
constexpr std::uint64_t k_max_labels = 100000;

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

void put_fixed(std::vector<std::uint8_t>& out, std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_fixed(std::span<const std::uint8_t> in, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) v |= static_cast<std::uint64_t>(in[at + i]) << (8 * i);
  return v;
}

// Decodes the varint at `p` (before `end`) into `v` and moves `p` past it; false when it is
// cut off or longer than 64 bits.
inline bool next_varint(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& v) {
  if (p == end) return false;
  std::uint8_t byte = *p++;
  v = byte & 0x7F;
  for (int shift = 7; byte & 0x80; shift += 7) {
    if (p == end || shift >= 64) return false;
    byte = *p++;
    v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
  }
  return true;
}

// Reads varints and fixed fields from a blob, remembering the first failure.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : m_bytes(bytes) {}

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (m_at >= m_bytes.size()) return fail();
      const std::uint8_t byte = m_bytes[m_at++];
      v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return fail();
  }
  // Fills `out` with consecutive varints: the same as calling varint() for each, in one
  // tight loop (an evaluation decodes about ten million of them, most one byte long).
  void varints(std::span<std::uint64_t> out) {
    const std::uint8_t* p = m_bytes.data() + m_at;
    const std::uint8_t* const end = m_bytes.data() + m_bytes.size();
    for (std::uint64_t& cell : out) {
      if (!next_varint(p, end, cell)) {
        fail();
        return;
      }
    }
    m_at = static_cast<std::size_t>(p - m_bytes.data());
  }
  // Adds consecutive varints to `cells`, one each, in order: the decoding of varints()
  // fused with the sum. Eight one-byte varints in a row (the common case) are added from
  // one 64-bit load. Returns how many cells were added; on a malformed varint it stops
  // there and fails, having added only to the cells before it.
  std::size_t add_varints(std::span<std::uint64_t> cells) {
    constexpr std::uint64_t k_high_bits = 0x8080808080808080ULL;
    const std::uint8_t* p = m_bytes.data() + m_at;
    const std::uint8_t* const end = m_bytes.data() + m_bytes.size();
    const std::size_t n = cells.size();
    std::size_t i = 0;
    while (i < n) {
      if (std::endian::native == std::endian::little && n - i >= 8 && end - p >= 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, p, 8);
        if ((word & k_high_bits) == 0) {
          for (std::size_t j = 0; j < 8; ++j) cells[i + j] += (word >> (8 * j)) & 0xFF;
          p += 8;
          i += 8;
          continue;
        }
      }
      std::uint64_t v = 0;
      if (!next_varint(p, end, v)) break;
      cells[i++] += v;
    }
    if (i < n) {
      fail();
      return i;
    }
    m_at = static_cast<std::size_t>(p - m_bytes.data());
    return n;
  }
  std::size_t position() const { return m_at; }
  std::uint8_t byte() {
    if (m_at >= m_bytes.size()) return static_cast<std::uint8_t>(fail());
    return m_bytes[m_at++];
  }
  double f64() {
    if (m_bytes.size() - m_at < 8 || m_at > m_bytes.size()) return static_cast<double>(fail());
    const std::uint64_t bits = get_fixed(m_bytes, m_at, 8);
    m_at += 8;
    return std::bit_cast<double>(bits);
  }
  std::span<const std::uint8_t> take(std::uint64_t n) {
    if (n > m_bytes.size() - m_at) {
      fail();
      return {};
    }
    auto out = m_bytes.subspan(m_at, static_cast<std::size_t>(n));
    m_at += static_cast<std::size_t>(n);
    return out;
  }
  bool ok() const { return m_ok; }
  bool at_end() const { return m_at == m_bytes.size(); }

 private:
  std::uint64_t fail() {
    m_ok = false;
    m_at = m_bytes.size();
    return 0;
  }
  std::span<const std::uint8_t> m_bytes;
  std::size_t m_at = 0;
  bool m_ok = true;
};

Error bad_blob(const std::string& what) {
  return make_error("bad_blob", "compact drift blob: " + what);
}

}  // namespace

std::vector<std::uint8_t> to_compact_bytes(const SampleCounts& sample) {
  const std::vector<std::uint8_t> wide = sample.to_bytes();
  const std::size_t features = sample.features();
  const std::size_t bins = sample.bins();
  const std::size_t feature_bytes = k_wide_feature + 24 * bins;
  std::uint64_t size_squares = 0;
  if (features > 0) size_squares = get_fixed(wide, k_wide_header + 16, 8);
  std::vector<std::uint8_t> out;
  out.reserve(32 + features * bins * 5);
  out.push_back(k_compact_format);
  put_varint(out, features);
  put_varint(out, bins);
  put_varint(out, static_cast<std::uint64_t>(sample.windows()));
  put_varint(out, sample.clips());
  put_varint(out, size_squares);
  put_fixed(out, std::bit_cast<std::uint64_t>(sample.overlap_weight()), 8);
  for (std::size_t f = 0; f < features; ++f) {
    const std::size_t base = k_wide_header + f * feature_bytes + k_wide_feature;
    for (std::size_t cell = 0; cell < 3 * bins; ++cell) {
      put_varint(out, get_fixed(wide, base + 8 * cell, 8));
    }
  }
  return out;
}

Result<SampleCounts> from_compact_bytes(std::span<const std::uint8_t> bytes) {
  SampleSum sum;
  if (Status added = sum.add_compact(bytes); !added) return added.error();
  return sum.to_sample();
}

Status SampleSum::add_compact(std::span<const std::uint8_t> bytes) {
  Reader in(bytes);
  if (in.byte() != k_compact_format) return bad_blob("unknown format");
  const std::uint64_t features = in.varint();
  const std::uint64_t bins = in.varint();
  const std::uint64_t windows = in.varint();
  const std::uint64_t clips = in.varint();
  const std::uint64_t size_squares = in.varint();
  const double overlap = in.f64();
  if (!in.ok() || features > k_max_features || bins > k_max_bins || !std::isfinite(overlap)) {
    return bad_blob("bad header");
  }
  const bool shaped = !m_cells.empty() || m_features > 0 || m_bins > 0;
  if (shaped && (features != m_features || bins != m_bins)) {
    return make_error("sample_mismatch", "samples have different features or bins");
  }
  if (!shaped) m_cells.assign(static_cast<std::size_t>(features * bins * 3), 0);
  // Decoded straight into the sum. A malformed blob is taken back out again (integer
  // addition undoes exactly), so that it changes nothing.
  const std::size_t payload = in.position();
  const std::size_t added = in.add_varints(m_cells);
  if (!in.ok() || !in.at_end()) {
    if (!shaped) {
      m_cells.clear();
    } else {
      m_scratch.resize(added);
      Reader again(bytes.subspan(payload));
      again.varints(m_scratch);
      for (std::size_t i = 0; i < added; ++i) m_cells[i] -= m_scratch[i];
    }
    return bad_blob("size does not match its header");
  }
  if (!shaped) {
    m_features = static_cast<std::size_t>(features);
    m_bins = static_cast<std::size_t>(bins);
  }
  m_windows += windows;
  m_clips += clips;
  m_size_squares += size_squares;
  m_overlap_weight += overlap;
  return Ok{};
}

Status SampleSum::add(const SampleSum& other) {
  if (other.m_features == 0 && other.m_bins == 0) return Ok{};
  if (m_features == 0 && m_bins == 0) {
    *this = other;
    return Ok{};
  }
  if (other.m_features != m_features || other.m_bins != m_bins) {
    return make_error("sample_mismatch", "samples have different features or bins");
  }
  for (std::size_t i = 0; i < m_cells.size(); ++i) m_cells[i] += other.m_cells[i];
  m_windows += other.m_windows;
  m_clips += other.m_clips;
  m_size_squares += other.m_size_squares;
  m_overlap_weight += other.m_overlap_weight;
  return Ok{};
}

Result<SampleCounts> SampleSum::to_sample() const {
  if (m_features == 0 && m_bins == 0) return SampleCounts();
  std::vector<std::uint8_t> wide;
  wide.reserve(k_wide_header + m_features * (k_wide_feature + 24 * m_bins));
  put_fixed(wide, 1, 4);
  put_fixed(wide, m_features, 4);
  put_fixed(wide, m_bins, 4);
  put_fixed(wide, 0, 4);
  put_fixed(wide, m_windows, 8);
  put_fixed(wide, m_clips, 8);
  put_fixed(wide, std::bit_cast<std::uint64_t>(m_overlap_weight), 8);
  for (std::size_t f = 0; f < m_features; ++f) {
    put_fixed(wide, 1, 4);
    put_fixed(wide, m_bins, 4);
    put_fixed(wide, m_clips, 8);
    put_fixed(wide, m_size_squares, 8);
    const std::size_t base = f * m_bins * 3;
    for (std::size_t cell = 0; cell < 3 * m_bins; ++cell) put_fixed(wide, m_cells[base + cell], 8);
  }
  auto sample = SampleCounts::from_bytes(wide);
  if (!sample) return bad_blob(sample.error().message);
  return sample;
}

std::vector<std::uint8_t> labels_to_bytes(const stats::LabelCounts& labels) {
  std::vector<std::uint8_t> out;
  out.push_back(k_labels_format);
  put_varint(out, labels.size());
  for (const auto& [label, count] : labels) {
    put_varint(out, label.size());
    out.insert(out.end(), label.begin(), label.end());
    put_varint(out, count);
  }
  return out;
}

Status read_label_bytes(std::span<const std::uint8_t> bytes, std::vector<LabelCount>& out) {
  out.clear();
  Reader in(bytes);
  if (in.byte() != k_labels_format) return bad_blob("unknown label format");
  const std::uint64_t n = in.varint();
  if (!in.ok() || n > k_max_labels) return bad_blob("bad label count");
  for (std::uint64_t i = 0; i < n && in.ok(); ++i) {
    const std::uint64_t length = in.varint();
    const auto text = in.take(length);
    const std::uint64_t count = in.varint();
    out.push_back(LabelCount{
        std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), count});
  }
  if (!in.ok() || !in.at_end()) {
    out.clear();
    return bad_blob("label blob size does not match its count");
  }
  return Ok{};
}

Status add_label_bytes(stats::LabelCounts& into, std::span<const std::uint8_t> bytes) {
  std::vector<LabelCount> entries;
  if (Status read = read_label_bytes(bytes, entries); !read) return read;
  for (const auto& entry : entries) {
    auto it = into.find(entry.label);
    if (it == into.end()) it = into.emplace(std::string(entry.label), 0).first;
    it->second += entry.count;
  }
  return Ok{};
}

}  // namespace driftd::drift
