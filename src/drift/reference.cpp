// Building a reference and binning clips against it.

#include "driftd/drift/reference.hpp"

#include <cmath>
#include <string>

#include "driftd/stats/bin_edges.hpp"

namespace driftd::drift {
namespace {

Error indexed(std::string code, std::string message, std::size_t index) {
  Error error = make_error(std::move(code), std::move(message));
  error.index = index;
  return error;
}

}  // namespace

Result<Reference> build_reference(std::span<const std::string> names,
                                  std::span<const ClipFeatures> clips, int bins,
                                  WindowGeometry geometry) {
  std::vector<std::vector<double>> columns(names.size());
  for (std::size_t c = 0; c < clips.size(); ++c) {
    for (const auto& window : clips[c]) {
      if (window.size() != names.size()) {
        return indexed("feature_mismatch",
                       "a reference window has " + std::to_string(window.size()) +
                           " features, not " + std::to_string(names.size()),
                       c);
      }
      for (std::size_t f = 0; f < window.size(); ++f) {
        if (!std::isfinite(window[f])) {
          return indexed("non_finite_value", "a reference window holds NaN or infinity", c);
        }
        columns[f].push_back(window[f]);
      }
    }
  }
  if (names.empty() || columns.front().empty()) {
    return make_error("empty_reference", "the reference has no windows");
  }
  Reference reference;
  for (std::size_t f = 0; f < names.size(); ++f) {
    auto edges = stats::quantile_edges(columns[f], bins);
    if (!edges) return edges.error();
    reference.features.push_back(ReferenceBins{names[f], std::move(edges.value())});
  }
  reference.counts = SampleCounts(names.size(), static_cast<std::size_t>(bins));
  for (const auto& clip : clips) {
    if (Status added = add_clip(reference.counts, reference, clip, geometry); !added) {
      return added.error();
    }
  }
  return reference;
}

SampleCounts empty_sample(const Reference& reference) {
  return SampleCounts(reference.features.size(), reference.counts.bins());
}

Result<std::vector<std::vector<std::size_t>>> bin_clip(const Reference& reference,
                                                       const ClipFeatures& clip) {
  std::vector<std::vector<std::size_t>> bins;
  bins.reserve(clip.size());
  for (std::size_t w = 0; w < clip.size(); ++w) {
    if (clip[w].size() != reference.features.size()) {
      return indexed("feature_mismatch", "a window has the wrong number of features", w);
    }
    std::vector<std::size_t> row(clip[w].size());
    for (std::size_t f = 0; f < row.size(); ++f) {
      const auto bin = stats::bin_of(reference.features[f].edges, clip[w][f]);
      if (!bin) return indexed("non_finite_value", "a window holds NaN", w);
      row[f] = *bin;
    }
    bins.push_back(std::move(row));
  }
  return bins;
}

Status add_clip(SampleCounts& sample, const Reference& reference, const ClipFeatures& clip,
                WindowGeometry geometry) {
  auto bins = bin_clip(reference, clip);
  if (!bins) return bins.error();
  return sample.add_clip(bins.value(), geometry);
}

}  // namespace driftd::drift
