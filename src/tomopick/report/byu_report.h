#pragma once
// The HTML report on a BYU (flagellar-motor) submission: the F2 and its counts, one row per tomogram
// (truth, the prediction the metric uses, its score and distance, the outcome), and a slab through
// each motor or prediction of the slice-stack tomograms (the truth's hit zone as a dashed ring, the
// prediction as a solid one). Self-contained, in the look of the CZII report (html_page.h).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/eval/byu_score.h"
#include "tomopick/eval/inputs.h"

namespace tomopick {

struct ByuReportRequest {
  EvalRequest eval;                 // truth (train_labels.csv) and picks (a submission or scored picks); metric byu
  std::optional<double> min_score;  // a tomogram's best pick calls a motor from this score on (default: any)
  std::filesystem::path tomograms;  // a folder of slice-stack tomograms (BYU's train/); empty: no pictures
  std::string command_line;         // shown as given
  std::string title = "tomopick BYU report";
  int max_pictures = 12;            // tomograms shown: errors first, then hits, then the rest
  int64_t slab = 5;                 // slices averaged per picture
  int64_t size_px = 360;            // pictures' longer side
};

struct ByuReportResult {
  std::string html;
  ByuResult score;
  double threshold = 0;             // the lowest kept best score (NaN when no tomogram is predicted)
  size_t images = 0;
  std::vector<std::string> notes;   // what could not be shown, and why
};

// Errors name the truth or picks file (prepare_evaluation) or the tomogram folder.
ByuReportResult make_byu_report(const ByuReportRequest& req);
// make_byu_report, then the HTML written atomically to `out`.
ByuReportResult write_byu_report(const std::filesystem::path& out, const ByuReportRequest& req);

}  // namespace tomopick
