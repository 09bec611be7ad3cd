#pragma once
// The one-file HTML report on a set of picks: the parameters, the CZII score per class and overall,
// per-run scores, precision-recall curves (inline SVG), slice galleries with the picks and the truth
// drawn (PNG data: URIs) when tomograms are at hand, and training curves when a training folder is
// given. Self-contained: no external resource; a tiny inline script marks the document once every
// image has loaded (data-status="loaded", data-images, data-images-loaded, data-errors on <html>).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tomopick/eval/czii_score.h"
#include "tomopick/eval/inputs.h"
#include "tomopick/report/gallery.h"

namespace tomopick {

struct ReportRequest {
  EvalRequest eval;                 // truth, picks and the scoring options (CZII metric)
  std::filesystem::path tomograms;  // a copick project holding the tomograms; empty: the truth's or picks' project
  std::filesystem::path train_log;  // a training folder (train_log.csv, config.yaml); empty: none
  std::string command_line;         // shown as given
  GalleryOptions gallery;
  std::string title = "tomopick report";
};

struct ReportResult {
  std::string html;
  CziiResult score;
  size_t images = 0;  // <img> elements
  size_t plots = 0;   // <svg> plots
  std::vector<std::string> notes;  // what could not be shown, and why
};

// Errors name the file at fault (truth, picks, tomogram project, training log) or the option.
ReportResult make_report(const ReportRequest& req);
// make_report, then the HTML written atomically to `out`.
ReportResult write_report(const std::filesystem::path& out, const ReportRequest& req);

}  // namespace tomopick
