#pragma once
// Edge Impulse's sliding-window cepstral mean and variance normalization (CMVN), the last
// step of its MFCC block (speechpy's cmvnw with variance normalization).

#include "driftd/audio/feature_matrix.hpp"

namespace driftd::audio {

struct CmvnOptions {
  // Round the mean-subtracted intermediate to binary32 precision, as the reference stores
  // it in a float32 array (a rounding of the value, computed in double). Improves parity.
  bool round_intermediate_like_reference = true;
};

// For each row i: pad the rows by (win_size-1)/2 at both ends with numpy's 'symmetric'
// reflection (edge included, repeating when the pad exceeds the rows), subtract the mean
// of the win_size rows centred on i, then divide by that window's population standard
// deviation (of the mean-subtracted rows, padded the same way) + 1e-10. win_size must be
// odd and positive (checked by the caller). Window sums are prefix sums of deviations
// from each column's first value, in double: O(rows × cols) whatever win_size is, and a
// column that is exactly constant gives exactly 0 (the reference gives rounding residue
// divided by 1e-10 there).
FeatureMatrix cmvn_sliding(const FeatureMatrix& raw, int win_size, const CmvnOptions& options = {});

}  // namespace driftd::audio
